"""``tomoni dedupe``: batch 名寄せ of a CSV file or of the database.

tomoni dedupe --input FILE.csv --output CLUSTERS.csv [--threshold P] [--skip-bad-rows]
tomoni dedupe --evaluate LABELS.csv --input FILE.csv     pairwise precision, recall, F1
tomoni dedupe --train (--input FILE.csv | --db | --generated N) --model-out MODEL.json
tomoni dedupe --db [--threshold P]                        fill the review queue

The input has the columns record_id,name,kana,birthdate,sex,address,phone (UTF-8 with or
without BOM, or CP932); only record_id must be filled. The output has record_id,cluster_id
for every input row, cluster_id being the smallest record_id of its cluster. LABELS.csv has
record_id,true_cluster. A bad row stops everything (nothing is written) unless
--skip-bad-rows is given; then it is reported and left out.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tomoni.lib.csvio import CsvEncodingError, read_csv_text, write_csv
from tomoni.lib.wareki import WarekiError
from tomoni.people.matching import engine, metrics
from tomoni.people.matching.model import ModelError
from tomoni.people.matching.normalise import parse_birthdate
from tomoni.people.matching.records import Record

COLUMNS = ("record_id", "name", "kana", "birthdate", "sex", "address", "phone")
LABEL_COLUMNS = ("record_id", "true_cluster")
MAX_SHOWN = 20


def read_table(
    data: bytes, required: tuple[str, ...], problems: list[str], optional: tuple[str, ...] = ()
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, {column: value}) per good row; append a message per bad row.

    Unlike csvio.iter_csv_rows this goes on after a bad row, so that every problem can be
    reported at once and --skip-bad-rows can keep the good rows. Rows are yielded one at a
    time: a million-row file is never held as a million dicts.
    """
    try:
        text, _ = read_csv_text(data)
    except CsvEncodingError as exc:
        raise CommandError(str(exc)) from None
    del data
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [cell.strip() for cell in next(reader)]
    except StopIteration:
        raise CommandError("ファイルが空です（1行目に見出しが必要です）") from None
    except csv.Error as exc:
        raise CommandError(f"1行目: CSV として読めません（{exc}）") from None
    missing = [c for c in required if c not in header]
    if missing:
        raise CommandError(
            f"1行目: 見出しに {', '.join(missing)} がありません"
            f"（必要な見出し: {','.join(required + optional)}）"
        )
    seen: dict[str, int] = {}
    row_number = 1
    try:
        for row_number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
                problems.append(
                    f"{row_number}行目: 列が多すぎます（見出しは{len(header)}列、"
                    f"この行は{len(cells)}列）"
                )
                continue
            row = dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=False))
            rid = row.get("record_id", "").strip()
            if not rid:
                problems.append(f"{row_number}行目: record_id が空です")
                continue
            if rid in seen:
                problems.append(
                    f"{row_number}行目: record_id「{rid}」が重複しています（{seen[rid]}行目と同じ）"
                )
                continue
            seen[rid] = row_number
            row["record_id"] = rid
            yield row_number, row
    except csv.Error as exc:
        # The csv module cannot go on after this; everything before it has been read.
        problems.append(f"{row_number + 1}行目: CSV として読めません（{exc}）")


def read_records(data: bytes, problems: list[str]) -> list[Record]:
    """The good rows as Records; a row whose birthdate cannot be read is a problem too."""
    out = []
    for row_number, row in read_table(data, ("record_id",), problems, COLUMNS[1:]):
        try:
            birthdate = parse_birthdate(row.get("birthdate", ""))
        except WarekiError as exc:
            problems.append(f"{row_number}行目: 生年月日を読めません: {exc}")
            continue
        out.append(
            Record(
                record_id=row["record_id"],
                name=row.get("name", ""),
                kana=row.get("kana", ""),
                birthdate=birthdate,
                sex=row.get("sex", ""),
                address=row.get("address", ""),
                phone=row.get("phone", ""),
            )
        )
    return out


class Command(BaseCommand):
    help = "名寄せ: CSV またはデータベースの中から同じ人の記録をまとめます。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--input", help="名寄せする CSV（record_id,name,kana,birthdate,sex,address,phone）"
        )
        parser.add_argument("--output", help="結果の CSV（record_id,cluster_id）")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help=f"同一人物とみなす確率の下限（既定 {engine.DEFAULT_THRESHOLD}）",
        )
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="問題のある行を飛ばして続ける"
        )
        parser.add_argument(
            "--evaluate", metavar="LABELS.csv", help="正解（record_id,true_cluster）と比べる"
        )
        parser.add_argument(
            "--train", action="store_true", help="この自治体のデータでモデルを学習し直す"
        )
        parser.add_argument("--model-out", help="--train の保存先（JSON）")
        parser.add_argument(
            "--generated", type=int, metavar="N", help="--train: 合成データ N 人分で学習する"
        )
        parser.add_argument(
            "--db", action="store_true", help="データベースの人を名寄せし、確認待ちに入れる"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        threshold = options["threshold"]
        if threshold is not None and not 0 < threshold < 1:
            raise CommandError("--threshold は 0 より大きく 1 より小さい値にしてください")
        try:
            if options["train"]:
                self._train(options)
            elif options["db"]:
                self._db(threshold)
            elif options["evaluate"]:
                self._evaluate(options, threshold or engine.DEFAULT_THRESHOLD)
            else:
                self._dedupe(options, threshold or engine.DEFAULT_THRESHOLD)
        except ModelError as exc:
            raise CommandError(str(exc)) from None

    # ------------------------------------------------------------ input

    def _read_input(self, options: dict[str, Any]) -> list[Record]:
        if not options["input"]:
            raise CommandError("--input で CSV ファイルを指定してください")
        problems: list[str] = []
        records = read_records(_read_bytes(options["input"]), problems)
        if problems:
            # Problems come in the order they were found; staff fix files top to bottom.
            problems.sort(key=lambda p: int(p.split("行目", 1)[0]))
            self._report(problems)
            if not options["skip_bad_rows"]:
                raise CommandError(
                    f"{len(problems)} 件の問題があるため、何も出力しませんでした"
                    "（問題の行を飛ばすには --skip-bad-rows）。"
                )
            self.stderr.write(f"問題のある {len(problems)} 行を飛ばしました。")
        return records

    def _report(self, problems: list[str]) -> None:
        for problem in problems[:MAX_SHOWN]:
            self.stderr.write(problem)
        if len(problems) > MAX_SHOWN:
            self.stderr.write(f"ほか {len(problems) - MAX_SHOWN} 件")

    # ------------------------------------------------------------ modes

    def _dedupe(self, options: dict[str, Any], threshold: float) -> None:
        if not options["output"]:
            raise CommandError("--output で結果の CSV ファイルを指定してください")
        records = self._read_input(options)
        clusters = engine.cluster(records, threshold)
        rows = [(r.record_id, clusters[r.record_id]) for r in records]
        _write_atomically(Path(options["output"]), write_csv(rows, ("record_id", "cluster_id")))
        sizes: dict[str, int] = {}
        for cid in clusters.values():
            sizes[cid] = sizes.get(cid, 0) + 1
        merged = sum(1 for n in sizes.values() if n > 1)
        self.stdout.write(
            f"{len(records)} 件を {len(sizes)} 人にまとめました"
            f"（2件以上の記録がある人: {merged}）。結果: {options['output']}"
        )

    def _evaluate(self, options: dict[str, Any], threshold: float) -> None:
        problems: list[str] = []
        rows = read_table(_read_bytes(options["evaluate"]), LABEL_COLUMNS, problems)
        truth = {row["record_id"]: row["true_cluster"].strip() for _, row in rows}
        if problems:
            self._report(problems)
            raise CommandError("正解ファイルに問題があるため、評価できません。")
        records = self._read_input(options)
        predicted = engine.cluster(records, threshold)
        scores = metrics.pairwise(predicted, truth)
        unlabelled = len(predicted.keys() - truth.keys())
        self.stdout.write(
            f"適合率(precision) {scores.precision:.4f}\n"
            f"再現率(recall)    {scores.recall:.4f}\n"
            f"F1                {scores.f1:.4f}\n"
            f"（記録の組: 正解 {scores.true_pairs}、予測 {scores.predicted_pairs}、"
            f"一致 {scores.true_positives}。しきい値 {threshold}）"
        )
        if unlabelled:
            self.stderr.write(f"正解のない {unlabelled} 件は評価に含めていません。")

    def _train(self, options: dict[str, Any]) -> None:
        out = options["model_out"] or os.environ.get("TOMONI_MATCHING_MODEL", "")
        if not out:
            raise CommandError(
                "--model-out で保存先を指定してください（使うときは TOMONI_MATCHING_MODEL に設定）"
            )
        if options["generated"]:
            from tomoni.people.matching import generator

            records = [x.record for x in generator.generate(options["generated"], seed=101)]
        elif options["db"]:
            records = _database_records()
        else:
            records = self._read_input(options)
        if len(records) < 1000:
            raise CommandError(f"学習には 1000 件以上の記録が必要です（{len(records)} 件）")
        settings = engine.train(records)
        text = json.dumps(settings, ensure_ascii=False, indent=2) + "\n"
        _write_atomically(Path(out), text.encode("utf-8"))
        self.stdout.write(
            f"{len(records)} 件で学習したモデルを {out} に保存しました。"
            "使うには環境変数 TOMONI_MATCHING_MODEL にこのパスを設定してください。"
        )

    def _db(self, threshold: float | None) -> None:
        try:
            from tomoni.people.matching.review import queue_from_database
        except ImportError:
            raise CommandError(
                "データベースの名寄せ（確認待ちの一覧）はまだ使えません。"
                "CSV で名寄せするには --input と --output を指定してください。"
            ) from None
        queue_from_database(threshold, cast(TextIO, self.stdout))


def _database_records() -> list[Record]:
    try:
        from tomoni.people.matching.review import person_records
    except ImportError:
        raise CommandError(
            "データベースからの学習はまだ使えません。--input で CSV を指定してください。"
        ) from None
    return person_records()


def _read_bytes(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"ファイルを読めません: {path}（{exc.strerror}）") from None


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside path and rename: never a half-written output."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        raise CommandError(f"書き込めません: {path}（{exc.strerror}）") from None
