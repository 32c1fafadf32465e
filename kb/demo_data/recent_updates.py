"""Versions published in the last few days, relative to the day the demo is loaded, so that staff always have
some acknowledgements that are due but not yet overdue. Applied on top of a procedure's latest version."""

RECENT_UPDATES = [
    {
        "code": "SOP-CP-053",
        "days_ago": 5,
        "summary": "新增電腦閒置 3 分鐘自動上鎖的要求，並提醒同事切勿以便條紙記錄系統密碼。",
        "steps": {
            1: {
                "time_limit": "離開座位時即時；系統閒置 3 分鐘自動上鎖",
                "note_kind": "warning",
                "note": "切勿以便條紙或手機相片記錄系統密碼；發現同事如此做須即時提醒並通知組長。",
            },
        },
    },
    {
        "code": "SOP-CS-003",
        "days_ago": 3,
        "summary": "確認通知時限由接獲後 2 個工作天縮短至 1 個工作天；客戶同意時可改以短訊發出確認通知。",
        "fields": {
            "summary": (
                "規定投訴由受理、確認、調查、回覆至結案的時限及升級準則：1 個工作天內確認，30 日內最終回覆。"
            )
        },
        "steps": {
            2: {
                "time_limit": "接獲後 1 個工作天內",
                "note_kind": "tip",
                "note": "客戶同意以短訊接收時，於系統選擇「短訊確認」，系統會記錄發送時間作為證明。",
            },
        },
    },
]
