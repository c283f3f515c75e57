"""Japanese full-text search: indexing speed and query latency on the configured database.

    TOMONI_VAR_DIR=/tmp/ftsbench .venv/bin/python bench/fulltext_bench.py --docs 200000
    DATABASE_URL=postgres://…/ftsbench .venv/bin/python bench/fulltext_bench.py

Builds N synthetic 支援経過記録 notes (2–4 sentences each from ~50 templates, with random
names, numbers and dates so that texts differ), indexes them with ``rebuild()`` under the
kind ``bench.note``, then times 20 queries of each type: a 2-character word, a 3-character
word, a 5-character word, a 2-word AND (2 + 3–5 characters) — all through the bigram
index — and 1-character words, which no index serves (a scan of the kind; the pages bound it).
Each query is timed as a search page would run it: ``count()`` of the matches and the first
50 ids; one untimed pass warms the caches, then each query keeps its best of ``--passes``
runs (the machine may be busy with other work), and p50/p95 are over the 20 queries.
The bench documents are deleted at the end unless ``--keep``. Run it against a scratch
database, never one with real data.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tomoni.settings")

import django

django.setup()

from django.db import connection  # noqa: E402

from tomoni.fulltext.api import matching_ids, rebuild  # noqa: E402
from tomoni.fulltext.models import SearchDocument  # noqa: E402

KIND = "bench.note"
FAMILY = ["見本", "試験", "稲城", "例示", "仮名", "検証"]
GIVEN = ["太郎", "花子", "一郎", "幸子", "健太", "由美", "翔", "真理"]
PLACES = ["地域包括支援センター", "社会福祉協議会", "ハローワーク", "保健センター", "市役所"]
SENTENCES = [
    "{name}さん宅を訪問し、生活状況を確認した。",
    "本人より電話あり。家賃を{n}か月滞納しているとのこと。",
    "ケーブルテレビの解約ができないと相談があった。",
    "{place}と連絡を取り、今後の支援方針を共有した。",
    "長男（{age}歳）がひきこもり状態であり、母親が対応に困っている。",
    "施設入所について家族と面談した。本人は在宅を希望している。",
    "ケアマネジャーより、介護保険サービスの利用状況について報告を受けた。",
    "食料支援としてフードバンクの食品を{n}箱届けた。",
    "通帳の管理が難しくなっており、日常生活自立支援事業の利用を検討する。",
    "民生委員から、{name}さんの姿を{n}日ほど見かけないと連絡があった。",
    "生活保護の申請に同行した。担当ケースワーカーは{family}。",
    "障害者相談支援事業所と支援会議を開催し、役割分担を確認した。",
    "就労準備支援事業の説明を行い、本人の同意を得た。",
    "医療機関の受診に同行し、主治医から病状の説明を受けた。",
    "電気料金の未払いにより、{date}に停止予定との通知が届いている。",
    "自立相談支援機関にて家計改善支援の面談を実施した。",
    "ゴミが室内に溜まっており、衛生状態の改善が必要。",
    "本人は「もう少し自分で頑張りたい」と話していた。",
    "{place}の担当者と同行訪問を行った。",
    "債務整理について法テラスを案内した。借入額は約{n}万円。",
    "子どもの不登校について学校と情報共有した。",
    "介護者である妻の負担が大きく、ショートステイの利用を提案した。",
    "重層的支援会議にて、支援プランの見直しを行った。",
    "住居確保給付金の申請書類を確認した。",
    "次回は{date}に訪問予定。",
    "認知症の疑いがあり、地域包括支援センターにつないだ。",
    "携帯電話が止まっており連絡が取れないため、手紙を投函した。",
    "年金の受給手続きについて年金事務所に問い合わせた。",
    "本人の同意を得て、関係機関に情報提供した。",
    "成年後見制度の利用について家族に説明した。",
    "精神科への通院が途切れており、保健師と連携する。",
    "ヘルパー派遣の回数を週{n}回に増やすことを調整した。",
    "{name}さんから、息子の暴言について相談があった。",
    "緊急小口資金の貸付について社会福祉協議会へつないだ。",
    "室温が高く熱中症のおそれがあるため、エアコンの使用を促した。",
    "配食サービスの利用を開始した。",
    "近隣住民から、夜間に大声が聞こえるとの情報提供があった。",
    "ケース会議の日程を{date}で調整中。",
    "本人が外出を嫌がるため、訪問での面談に切り替えた。",
    "水道料金の滞納が{n}か月分あり、水道局と分納の相談をした。",
    "高齢の母親と障害のある娘の二人世帯。今後の住まいについて話し合った。",
    "ＤＶの相談があり、女性相談支援員につないだ。",
    "ｶﾌﾟｾﾙ型の薬の飲み忘れが多いと訪問看護から報告があった。",
    "家族関係の調整が必要であり、継続して支援する。",
    "本人より「お金がなくて食事ができない」と連絡あり。",
    "就労先の面接に同行した。結果は{date}に連絡予定。",
    "転居先のアパートについて不動産会社と調整した。",
    "見守り支援として週{n}回の電話連絡を行う。",
    "公共料金の支払いが困難なため、家計表を一緒に作成した。",
    "支援終結に向けて、本人と振り返りを行った。",
]
QUERIES: dict[str, list[str]] = {
    "1-char": ["訪", "金", "薬", "娘", "水", "妻", "夜", "箱", "紙", "母"],
    "2-char": [
        *["施設", "解約", "家賃", "面談", "受診", "通帳", "食料", "就労", "滞納", "同行"],
        *["債務", "年金", "電気", "近隣", "配食", "後見", "転居", "借金", "入院", "保険"],
    ],
    "3-char": [
        *["生活費", "ひきこ", "ケアマ", "民生委", "訪問し", "テレビ", "ヘルパ", "法テラ"],
        *["不登校", "熱中症", "認知症", "配食サ", "フード", "保健師", "家計表", "暴言に"],
        *["水道局", "アパー", "障害者", "入院中"],
    ],
    "5-char": [
        *["ケーブルテ", "生活保護の", "地域包括支", "ひきこもり", "介護保険サ", "フードバン"],
        *["日常生活自", "成年後見制", "住居確保給", "緊急小口資", "ショートス", "カプセル型"],
        *["重層的支援", "不動産会社", "訪問看護か", "女性相談支", "年金事務所", "家計改善支"],
        *["就労準備支", "生活困窮者"],
    ],
    "2-word AND": [
        *["施設 面談した", "解約 ケーブル", "家賃 滞納して", "同行 生活保護", "通帳 自立支援"],
        *["年金 受給手続", "面談 家計改善", "受診 主治医", "食料 フードバン", "就労 面接に"],
        *["債務 法テラス", "電気 未払い", "転居 アパート", "後見 成年後見", "同行 ハローワ"],
        *["滞納 水道局", "見本 ヘルパー", "試験 民生委員", "近隣 大声が", "保険 ケアマネ"],
    ],
}


def synthetic_notes(count: int, rng: random.Random) -> Iterator[tuple[int, str]]:
    for object_id in range(1, count + 1):
        sentences = rng.sample(SENTENCES, rng.randint(2, 4))
        text = "".join(
            sentence.format(
                name=rng.choice(FAMILY) + " " + rng.choice(GIVEN),
                family=rng.choice(FAMILY),
                place=rng.choice(PLACES),
                n=rng.randint(1, 30),
                age=rng.randint(18, 60),
                date=f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日",
            )
            for sentence in sentences
        )
        yield object_id, text


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--passes", type=int, default=3, help="timings per query (best kept)")
    parser.add_argument("--keep", action="store_true", help="leave the bench documents")
    parser.add_argument("--explain", action="store_true", help="print one plan per type")
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(f"engine: {connection.vendor}, {args.docs:,} docs")
    start = time.perf_counter()
    indexed = rebuild(KIND, synthetic_notes(args.docs, rng))
    seconds = time.perf_counter() - start
    print(f"indexed {indexed:,} docs in {seconds:.1f} s ({indexed / seconds:,.0f} docs/s)")
    if connection.vendor == "postgresql":
        # What autovacuum would soon do (SQLite keeps no statistics unless asked).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE fulltext_searchdocument")
    average = statistics.mean(
        len(text)
        for text in SearchDocument.objects.filter(kind=KIND).values_list("text", flat=True)[:2000]
    )
    print(f"average text length: {average:.0f} characters")

    def count(query: str) -> int:
        return matching_ids(KIND, query).count()

    def page(query: str) -> list[int]:
        return list(matching_ids(KIND, query).order_by("-object_id")[:50])

    for queries in QUERIES.values():  # warm-up, untimed
        for query in queries:
            count(query)
    print(
        f"{'query type':<12} {'count p50':>10} {'p95':>8} {'page p50':>10} {'p95':>8}  median hits"
    )
    for label, queries in QUERIES.items():
        counts = [min(timed(partial(count, q)) for _ in range(args.passes)) for q in queries]
        pages = [min(timed(partial(page, q)) for _ in range(args.passes)) for q in queries]
        hits = statistics.median(count(q) for q in queries)
        print(
            f"{label:<12} {percentile(counts, 0.5):>8.1f}ms {percentile(counts, 0.95):>6.1f}ms"
            f" {percentile(pages, 0.5):>8.1f}ms {percentile(pages, 0.95):>6.1f}ms  {hits:,.0f}"
        )
        if args.explain:
            sql, params = matching_ids(KIND, queries[0]).query.sql_with_params()
            with connection.cursor() as cursor:
                prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
                cursor.execute(prefix + sql, params)
                for row in cursor.fetchall():
                    print("    ", row[-1])

    if not args.keep:
        rebuild(KIND, [])


if __name__ == "__main__":
    main()
