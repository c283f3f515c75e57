"""`tomoni dedupe` through call_command: CSV in any encoding, bad rows, evaluate, train."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tomoni.lib.csvio import write_csv
from tomoni.people.matching import generator

HEADER = ("record_id", "name", "kana", "birthdate", "sex", "address", "phone")
ROWS = [
    (
        "a1",
        "髙﨑　花子",
        "タカサキ ハナコ",
        "S50.4.3",
        "女",
        "稲城市見本町三丁目5番7号",
        "042-111-2222",
    ),
    (
        "a2",
        "高崎 花子",
        "ﾀｶｻｷ ﾊﾅｺ",
        "1975/4/3",
        "F",
        "稲城市見本町3-5-7",
        "０４２－１１１－２２２２",
    ),
    ("a3", "見本高 翔", "みほんたか しょう", "令和3年5月5日", "男", "稲城市仮野1-2-3", ""),
    ("a4", "見本高 蓮", "みほんたか れん", "2021-05-05", "男", "稲城市仮野1-2-3", ""),
    ("a5", "", "", "", "", "", ""),
]


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("dedupe", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _clusters(path: Path) -> dict[str, str]:
    text = path.read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["record_id", "cluster_id"]
    return dict(rows[1:])


@pytest.mark.matching
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp932"])
def test_round_trip_in_each_encoding(tmp_path: Path, encoding: str) -> None:
    """UTF-8 with and without BOM and CP932 give the same clusters, one row per input row."""
    data = write_csv(ROWS, HEADER, encoding="cp932" if encoding == "cp932" else "utf-8-sig")
    if encoding == "utf-8":
        data = data.removeprefix(b"\xef\xbb\xbf")
    source, result = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_bytes(data)
    out, _ = _run("--input", str(source), "--output", str(result))
    clusters = _clusters(result)
    assert list(clusters) == ["a1", "a2", "a3", "a4", "a5"]
    assert clusters["a1"] == clusters["a2"] == "a1"
    assert len({clusters["a3"], clusters["a4"], clusters["a5"], "a1"}) == 4  # twins apart
    assert "5 件を 4 人にまとめました" in out


def _bad_file(tmp_path: Path) -> Path:
    rows = [
        *ROWS,
        ("b1", "見本 一郎", "", "昭和65年1月1日", "", "", ""),
        ("b2", "見本 二郎", "", "", "", "", "", "余計な列"),
        ("", "見本 三郎", "", "", "", "", ""),
        ("a1", "重複", "", "", "", "", ""),
    ]
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    writer.writerows(rows)
    path = tmp_path / "bad.csv"
    path.write_text(text.getvalue(), encoding="utf-8")
    return path


def test_bad_rows_stop_everything_with_line_numbers(tmp_path: Path) -> None:
    result = tmp_path / "out.csv"
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="4 件の問題があるため、何も出力しませんでした"):
        call_command(
            "dedupe",
            "--input",
            str(_bad_file(tmp_path)),
            "--output",
            str(result),
            stdout=out,
            stderr=err,
        )
    messages = err.getvalue()
    assert "7行目: 生年月日を読めません: 昭和65年は存在しません" in messages
    assert "8行目: 列が多すぎます" in messages
    assert "9行目: record_id が空です" in messages
    assert "10行目: record_id「a1」が重複しています（2行目と同じ）" in messages
    assert not result.exists()


@pytest.mark.matching
def test_skip_bad_rows_keeps_the_good_ones(tmp_path: Path) -> None:
    result = tmp_path / "out.csv"
    _, err = _run("--input", str(_bad_file(tmp_path)), "--output", str(result), "--skip-bad-rows")
    assert list(_clusters(result)) == ["a1", "a2", "a3", "a4", "a5"]
    assert "問題のある 4 行を飛ばしました" in err
    assert "7行目" in err


def test_unknown_encoding_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes("record_id,name\r\n1,見本\r\n".encode("utf-16"))
    with pytest.raises(CommandError, match="文字コードを判別できません"):
        _run("--input", str(source), "--output", str(tmp_path / "out.csv"))


def test_missing_record_id_column(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,name\n1,見本\n", encoding="utf-8")
    with pytest.raises(CommandError, match="1行目: 見出しに record_id がありません"):
        _run("--input", str(source), "--output", str(tmp_path / "out.csv"))


@pytest.mark.matching
def test_only_record_id_is_required(tmp_path: Path) -> None:
    source, result = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("record_id\nx\ny\n", encoding="utf-8")
    _run("--input", str(source), "--output", str(result))
    assert _clusters(result) == {"x": "x", "y": "y"}


@pytest.mark.matching
def test_evaluate_prints_pairwise_scores(tmp_path: Path) -> None:
    items = generator.generate(300, seed=21)
    source, labels = tmp_path / "in.csv", tmp_path / "labels.csv"
    source.write_bytes(write_csv(generator.csv_rows(items), HEADER))
    labels.write_bytes(
        write_csv(
            [(i.record.record_id, i.entity) for i in items],
            ("record_id", "true_cluster"),
            encoding="cp932",
        )
    )
    out, _ = _run("--evaluate", str(labels), "--input", str(source))
    values = dict(line.split()[:2] for line in out.splitlines()[:3])
    assert float(values["適合率(precision)"]) >= 0.97
    assert float(values["F1"]) >= 0.9


@pytest.mark.matching
def test_train_writes_a_model_the_scorer_can_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "model.json"
    out, _ = _run("--train", "--generated", "800", "--model-out", str(model))
    assert "件で学習したモデル" in out
    settings = json.loads(model.read_text(encoding="utf-8"))
    assert [c["output_column_name"] for c in settings["comparisons"]] == [
        "name",
        "dob",
        "sex",
        "contact",
    ]
    monkeypatch.setenv("TOMONI_MATCHING_MODEL", str(model))
    from tomoni.people.matching.records import Record
    from tomoni.people.matching.scorer import score_pair

    a = Record("1", "見本 太郎", "みほん たろう", None, "男", "稲城市見本町1-1-1", "0420000000")
    assert score_pair(a, a).probability > 0.99


def test_train_refuses_too_little_data(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_bytes(write_csv(ROWS, HEADER))
    with pytest.raises(CommandError, match="1000 件以上"):
        _run("--train", "--input", str(source), "--model-out", str(tmp_path / "m.json"))


def test_bad_threshold(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="--threshold"):
        _run("--input", "x.csv", "--output", "y.csv", "--threshold", "1.5")
