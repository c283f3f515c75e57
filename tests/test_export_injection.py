"""`tomoni dedupe --output` writes record ids it was given: formula-like ones come back as
text (OWASP CSV injection, issue 16). The 統計 exports: tests/stats/test_export_injection.py."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

HEADER = ["record_id", "name", "kana", "birthdate", "sex", "address", "phone"]


@pytest.mark.matching
def test_dedupe_output_neutralises_record_ids(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    with source.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(HEADER)
        writer.writerow(['=HYPERLINK("http://evil.example","x")', "見本 花子", "", "", "", "", ""])
        writer.writerow(["@SUM(1+1)", "見本 太郎", "", "", "", "", ""])
        writer.writerow(["r3", "見本 一郎", "", "", "", "", ""])
    call_command("dedupe", "--input", str(source), "--output", str(tmp_path / "out.csv"))
    text = (tmp_path / "out.csv").read_bytes().decode("utf-8-sig")
    ids = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert sorted(ids) == sorted(['\'=HYPERLINK("http://evil.example","x")', "'@SUM(1+1)", "r3"])
