"""Search benchmark: our Whoosh backend vs Wagtail's database backend on SQLite, same documents, same run.

    .venv/bin/python bench/search.py              # 10,000 documents
    .venv/bin/python bench/search.py -n 2000 --repeat 3 --builds 2

Generates procedure-like Chinese documents from a bank customer-service word list and builds both indexes
with ``update_index``, ``--builds`` times, alternating backends: the first build fills an empty index, the
later ones replace a full one (the table shows the first and the median of the rest). Then it runs the query
set below and prints, per backend: query p50/p95 (``Notice.objects.search(q)[:10]`` evaluated, database
fetch included) and recall@10 against ground truth computed by substring match after NFKC +
Traditional→Simplified folding. Our backend is built twice: as configured (one rebuild worker process per
CPU) and with a single process, so the table shows what the worker processes contribute.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --- Corpus ---------------------------------------------------------------------------------------------

TOPICS: dict[str, dict[str, list[str]]] = {
    "complaints": {
        "titles": ["客戶投訴與意見處理程序", "投訴個案升級指引", "服務補救及賠償審批", "重複投訴跟進守則"],
        "terms": [
            "客戶投訴",
            "意見處理",
            "服務補救",
            "投訴個案",
            "升級處理",
            "書面回覆",
            "賠償方案",
            "投訴熱線",
            "個案編號",
            "跟進紀錄",
            "致歉信",
            "申訴專員",
        ],
    },
    "aml": {
        "titles": ["反洗錢及可疑交易報告程序", "AML反洗錢篩查流程", "可疑交易識別指引", "制裁名單篩查守則"],
        "terms": [
            "反洗錢",
            "可疑交易",
            "交易監察",
            "制裁名單",
            "資金來源",
            "大額現金",
            "拆分交易",
            "可疑交易報告",
            "聯合財富情報組",
            "AML",
            "STR",
            "FATF",
        ],
    },
    "kyc": {
        "titles": ["身份核實及KYC資料更新", "開戶盡職審查程序", "客戶資料更新指引", "高風險客戶加強審查"],
        "terms": [
            "身份核實",
            "資料更新",
            "盡職審查",
            "住址證明",
            "身份證明文件",
            "KYC",
            "高風險客戶",
            "定期覆核",
            "實益擁有人",
            "政治人物",
            "風險評級",
            "CDD",
        ],
    },
    "incident": {
        "titles": ["系統故障應急程序", "網上銀行服務中斷處理", "ATM故障應急指引", "災難復原演練守則"],
        "terms": [
            "系統故障",
            "應急方案",
            "服務中斷",
            "網上銀行",
            "ATM",
            "故障通報",
            "備用系統",
            "恢復時間",
            "客戶通知",
            "事故報告",
            "IT支援",
            "PDF閱讀器",
        ],
    },
    "survey": {
        "titles": ["滿意度調查執行程序", "神秘顧客評估指引", "服務質素監察守則", "客戶回饋分析程序"],
        "terms": [
            "滿意度調查",
            "問卷",
            "回應率",
            "服務質素",
            "神秘顧客",
            "淨推薦值",
            "NPS",
            "改善計劃",
            "季度報告",
            "評分準則",
            "抽樣",
            "CRM",
        ],
    },
    "cards": {
        "titles": ["信用卡爭議交易處理", "遺失卡片掛失程序", "信用卡額度調整指引", "盜用交易調查守則"],
        "terms": [
            "信用卡",
            "爭議交易",
            "掛失",
            "退款",
            "盜用",
            "信用額度",
            "月結單",
            "簽帳",
            "OTP",
            "交易紀錄",
            "商戶",
            "PIN",
        ],
    },
    "accounts": {
        "titles": ["帳戶開立及關閉程序", "不動戶口處理指引", "聯名戶口變更守則", "遺產帳戶處理程序"],
        "terms": [
            "帳戶開立",
            "關閉帳戶",
            "不動戶口",
            "聯名戶口",
            "簽名式樣",
            "授權書",
            "遺產",
            "凍結",
            "存款證明",
            "手續費",
            "分行",
            "網上理財",
        ],
    },
    "privacy": {
        "titles": ["個人資料私隱保障程序", "資料查閱要求處理", "客戶資料外洩應變指引", "直接促銷同意管理"],
        "terms": [
            "個人資料",
            "私隱",
            "查閱要求",
            "資料外洩",
            "直接促銷",
            "同意",
            "保存期限",
            "銷毀",
            "加密",
            "存取權限",
            "私隱專員",
            "PDPO",
        ],
    },
    "vulnerable": {
        "titles": ["弱勢客戶服務指引", "長者客戶保障程序", "無障礙服務守則", "財務困難客戶支援"],
        "terms": [
            "弱勢客戶",
            "長者",
            "無障礙",
            "財務困難",
            "還款安排",
            "照顧者",
            "手語翻譯",
            "特別需要",
            "詐騙風險",
            "冷靜期",
            "家人陪同",
            "轉介",
        ],
    },
    "fraud": {
        "titles": ["電話詐騙防範程序", "釣魚短訊處理指引", "可疑轉帳攔截守則", "詐騙受害人支援程序"],
        "terms": [
            "電話詐騙",
            "釣魚短訊",
            "可疑轉帳",
            "攔截",
            "受害人",
            "報警",
            "防騙",
            "假冒職員",
            "轉數快",
            "FPS",
            "止付",
            "警方",
        ],
    },
}
COMMON = [
    "前線員工",
    "主管",
    "覆核",
    "記錄",
    "客戶",
    "銀行",
    "系統",
    "程序",
    "文件",
    "保存",
    "合規部",
    "風險管理",
    "培訓",
    "審批",
    "通知",
    "熱線",
    "分行經理",
    "營運部",
    "內部審計",
    "監管要求",
    "金管局",
    "工作天",
]
SENTENCES = [
    "{staff}須於{n}小時內{verb}{a}，並{verb2}{b}。",
    "如涉及{a}，{staff}應即時通知{role}並{verb2}{b}。",
    "{role}須在{n}個工作天內完成{a}的{verb}，結果記錄於{sys}。",
    "處理{a}時，必須核對{b}及{c}，不得向客戶透露{d}。",
    "所有{a}文件須保存{years}年，以備{role}及監管機構查閱。",
    "若客戶對{a}有異議，{staff}應提供{b}並安排{c}。",
    "{a}個案須按{b}分級，高風險個案於{n}小時內上報{role}。",
    "本程序適用於{a}、{b}及{c}相關的{verb}工作。",
]
STAFF = ["前線員工", "客戶服務主任", "分行職員", "熱線同事", "個案經理"]
ROLES = ["主管", "合規部", "風險管理部", "營運部", "內部審計", "分行經理"]
SYSTEMS = ["CRM系統", "個案管理系統", "核心銀行系統", "文件管理系統"]
VERBS = ["記錄", "覆核", "跟進", "核實", "審批", "上報", "回覆"]


def make_corpus(count: int, seed: int = 5) -> list[dict[str, str]]:
    """``count`` documents: title, body (8-14 sentences), code and category, deterministic for ``seed``."""
    rnd = random.Random(seed)
    names = list(TOPICS)
    docs = []
    for i in range(count):
        category = names[i % len(names)]
        topic = TOPICS[category]
        other = TOPICS[rnd.choice(names)]
        terms = topic["terms"] + other["terms"][:4]
        sentences = []
        for _ in range(rnd.randint(8, 14)):
            sentences.append(
                rnd.choice(SENTENCES).format(
                    staff=rnd.choice(STAFF),
                    role=rnd.choice(ROLES),
                    sys=rnd.choice(SYSTEMS),
                    verb=rnd.choice(VERBS),
                    verb2=rnd.choice(VERBS),
                    n=rnd.choice([2, 4, 24, 48, 72]),
                    years=rnd.choice([2, 5, 7]),
                    a=rnd.choice(terms),
                    b=rnd.choice(terms),
                    c=rnd.choice(COMMON),
                    d=rnd.choice(COMMON),
                )
            )
        code = f"{category[:3].upper()}-{i:05d}"
        title = f"{rnd.choice(topic['titles'])}（第{i % 7 + 1}版）"
        docs.append({"title": title, "body": "".join(sentences), "code": code, "category": category})
    return docs


#: Traditional and Simplified forms, words inside compounds, single characters, phrases, English, mixed.
QUERIES = [
    "投訴",
    "投诉",
    "客戶投訴",
    "客户投诉",
    "意見處理",
    "服務補救",
    "服务补救",
    "洗錢",
    "反洗錢",
    "反洗钱",
    "可疑交易",
    "可疑交易報告",
    "身份核實",
    "身份核实",
    "資料更新",
    "资料更新",
    "系統故障",
    "系统故障应急",
    "應急",
    "滿意度調查",
    "满意度调查",
    "調查",
    "詐騙",
    "诈骗",
    "電話詐騙",
    "信用卡",
    "掛失",
    "挂失",
    "私隱",
    "隐",
    "鎖",
    "凍",
    "核",
    "審",
    "票",
    "個案編號",
    "书面回复",
    "書面回覆",
    "不得向客戶透露",
    "小時內上報",
    "前線員工須於",
    "KYC",
    "kyc",
    "AML",
    "aml",
    "NPS",
    "OTP",
    "FATF",
    "CRM",
    "ATM故障",
    "PDF閱讀器",
    "AML反洗錢",
    "KYC資料更新",
    "IT支援",
    "轉數快 FPS",
    "淨推薦值 NPS",
]


# --- Ground truth and timing ----------------------------------------------------------------------------


def relevant_ids(docs_by_id: dict[int, str], query: str, fold) -> set[int]:
    """Ids whose folded text contains every whitespace-separated part of the folded query."""
    parts = [fold(part) for part in query.split()]
    return {pk for pk, text in docs_by_id.items() if all(part in text for part in parts)}


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--documents", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of the query set per backend")
    parser.add_argument("--builds", type=int, default=3, help="timed index builds per backend (at least 2)")
    parser.add_argument("--workdir", help="where to put the SQLite file and index (default: a temp dir)")
    args = parser.parse_args(argv)
    if args.builds < 2:
        parser.error("--builds must be at least 2 (an empty-index build and a rebuild)")

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="servewell-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    (workdir / "bench.sqlite3").unlink(missing_ok=True)
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "website.settings.test"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["SEARCH_INDEX_DIR"] = str(workdir / "index")

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from tests.search.testapp.models import Notice
    from website.search.analysis import fold

    whoosh = {"BACKEND": "website.search.backend", "AUTO_UPDATE": False}
    settings.WAGTAILSEARCH_BACKENDS = {
        "whoosh": {**whoosh, "PATH": str(workdir / "index")},
        "whoosh-1": {**whoosh, "PATH": str(workdir / "index-1"), "REBUILD_WORKERS": 1},
        "database": {"BACKEND": "wagtail.search.backends.database", "AUTO_UPDATE": False},
    }
    labels = {
        "whoosh": f"whoosh ({os.cpu_count()} rebuild workers)",
        "whoosh-1": "whoosh (1 process)",
        "database": "database (SQLite FTS5)",
    }
    print(f"workdir {workdir}; migrating…", flush=True)
    call_command("migrate", verbosity=0)

    docs = make_corpus(args.documents)
    Notice.objects.bulk_create([Notice(**doc) for doc in docs], batch_size=1000)
    texts = {n.pk: fold(f"{n.title}\n{n.body}\n{n.code}") for n in Notice.objects.all()}
    chars = sum(len(d["title"]) + len(d["body"]) for d in docs) / len(docs)
    print(
        f"{len(docs)} documents, {chars:.0f} characters each on average; {len(QUERIES)} queries", flush=True
    )

    builds: dict[str, list[float]] = {name: [] for name in labels}
    for run in range(args.builds):
        for name in labels:
            started = time.perf_counter()
            call_command("update_index", backend_name=name, verbosity=0)
            builds[name].append(time.perf_counter() - started)
        print(f"  build {run + 1}: " + ", ".join(f"{n} {b[-1]:.1f} s" for n, b in builds.items()), flush=True)

    rows = []
    for name, label in labels.items():
        build = (builds[name][0], statistics.median(builds[name][1:]))
        recalls, timings, exact = [], [], 0
        for query in QUERIES:
            list(Notice.objects.search(query, backend=name)[:10])  # warm up
            for _ in range(args.repeat):
                started = time.perf_counter()
                top = [n.pk for n in Notice.objects.search(query, backend=name)[:10]]
                timings.append((time.perf_counter() - started) * 1000)
            truth = relevant_ids(texts, query, fold)
            if truth:
                recalls.append(len(set(top) & truth) / min(10, len(truth)))
            exact += Notice.objects.search(query, backend=name).count() == len(truth)
        rows.append(
            (label, build, percentile(timings, 50), percentile(timings, 95), statistics.mean(recalls), exact)
        )
        print(f"  {label}: queries done", flush=True)

    (base_first, base_again), base_p95 = rows[-1][1], rows[-1][3]  # the database backend is the last row
    print()
    print(
        "| backend | build, empty index (s) | ÷ database | rebuild, full index (s) | ÷ database "
        f"| query p50 (ms) | query p95 (ms) | ÷ database | recall@10 | exact count (of {len(QUERIES)}) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, (first, again), p50, p95, recall, exact in rows:
        print(
            f"| {label} | {first:.1f} | {first / base_first:.2f} | {again:.1f} | {again / base_again:.2f} "
            f"| {p50:.1f} | {p95:.1f} | {p95 / base_p95:.3f} | {recall:.2f} | {exact} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
