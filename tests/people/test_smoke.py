def test_profile_gets_closure_rows(make_staff):
    boss = make_staff("boss")
    worker = make_staff("worker", supervisor=boss)
    assert list(worker.ancestor_paths.order_by("depth").values_list("ancestor_id", "depth")) == [
        (worker.pk, 0),
        (boss.pk, 1),
    ]
