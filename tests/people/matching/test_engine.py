"""The Splink engine on generated data: accuracy, hard negatives, and agreement with the
pure-Python scorer used at intake."""

from __future__ import annotations

from datetime import date

import pytest

from tomoni.lib import textnorm
from tomoni.people.matching import engine, generator, metrics
from tomoni.people.matching.features import prepare
from tomoni.people.matching.model import term_frequencies
from tomoni.people.matching.records import Record
from tomoni.people.matching.scorer import score_pair


@pytest.fixture(scope="module")
def labelled() -> list[generator.Labelled]:
    # Seed 11 was not used to train the packaged model (seed 101).
    return generator.generate(1500, seed=11)


@pytest.mark.matching
def test_precision_and_recall_on_held_out_data(labelled: list[generator.Labelled]) -> None:
    """Clusters at the default threshold: precision ≥ 0.98 and F1 ≥ 0.93, far above exact
    name + birthdate matching on the same records."""
    records = [i.record for i in labelled]
    truth = generator.truth(labelled)
    clusters = engine.cluster(records)
    assert set(clusters) == set(truth)
    scores = metrics.pairwise(clusters, truth)
    assert scores.precision >= 0.98, scores
    assert scores.f1 >= 0.93, scores
    exact = {
        r.record_id: f"{textnorm.normalize_text(r.name)}|{r.birthdate}"
        if r.birthdate
        else r.record_id
        for r in records
    }
    assert metrics.pairwise(exact, truth).f1 < scores.f1 - 0.15


@pytest.mark.matching
def test_twins_and_household_members_stay_apart() -> None:
    home = {"address": "稲城市見本町1-2-3", "phone": "042-000-0000", "sex": "男"}
    twin_a = Record("a", "見本高 翔", "みほんたか しょう", date(2001, 5, 5), **home)
    twin_b = Record("b", "見本高 蓮", "みほんたか れん", date(2001, 5, 5), **home)
    father = Record("c", "見本高 翔太", "みほんたか しょうた", date(1970, 1, 9), **home)
    clusters = engine.cluster([twin_a, twin_b, father])
    assert len(set(clusters.values())) == 3
    assert score_pair(twin_a, twin_b).probability < 0.5
    assert score_pair(twin_a, twin_b).reasons["氏名"] == "名が異なる"


@pytest.mark.matching
def test_variants_formats_marriage_and_move_are_found() -> None:
    """異体字 and kana scripts; a married name at a new address, found through the given
    name and birthdate."""
    a = Record(
        "1",
        "髙﨑 花子",
        "タカサキ ハナコ",
        date(1975, 4, 3),
        "女",
        "稲城市見本町三丁目5番7号",
        "042-111-2222",
    )
    b = Record("2", "高崎　花子", "ﾀｶｻｷ ﾊﾅｺ", date(1975, 4, 3), "F", "稲城市見本町3-5-7", "")
    c = Record(
        "3",
        "試験澤 花子",
        "しけんさわ はなこ",
        date(1975, 4, 3),
        "女",
        "稲城市仮野1-1-1",
        "042-111-2222",
    )
    pairs = {(x, y): p for x, y, p, _ in engine.predict_pairs([a, b, c], threshold=0.5)}
    assert pairs[("1", "2")] > 0.99
    assert pairs[("1", "3")] > 0.9
    scored = score_pair(a, b)
    assert scored.reasons["氏名"] == "一致(異体字を同一視)"
    assert scored.reasons["電話"] == "記録なし"
    assert score_pair(a, c).reasons["氏名"] == "名が一致(姓が異なる)"


@pytest.mark.matching
def test_scorer_agrees_with_the_engine(labelled: list[generator.Labelled]) -> None:
    """Every pair the engine predicts gets the same probability from score_pair, given the
    same term frequencies (within 1e-6 in match weight)."""
    records = [i.record for i in labelled[:800]]
    by_id = {r.record_id: r for r in records}
    tf = term_frequencies([prepare(r) for r in records])
    pairs = engine.predict_pairs(records, threshold=0.01)
    assert len(pairs) > 100
    for left, right, probability, reasons in pairs:
        scored = score_pair(by_id[left], by_id[right], tf=tf, population=len(records))
        assert scored.probability == pytest.approx(probability, abs=1e-6)
        assert scored.reasons == reasons


@pytest.mark.matching
def test_empty_and_single_inputs() -> None:
    assert engine.cluster([]) == {}
    assert engine.cluster([Record("x")]) == {"x": "x"}
    assert engine.predict_pairs([Record("x"), Record("y")]) == []


def test_score_pair_explains_every_field() -> None:
    """Six fields, each explained; an empty field neither raises nor lowers the score."""
    a = Record("1", "見本 太郎", "ミホン タロウ", date(1950, 1, 2), "男", "稲城市見本町1-2-3", "")
    b = Record("2", "見本 太郎", "みほん たろう", None, "", "", "")
    scored = score_pair(a, b)
    assert scored.reasons == {
        "氏名": "一致",
        "ふりがな": "一致",
        "生年月日": "記録なし",
        "性別": "記録なし",
        "住所": "記録なし",
        "電話": "記録なし",
    }
    richer = score_pair(a, Record("3", "見本 太郎", "みほん たろう", date(1950, 1, 2)))
    assert richer.match_weight > scored.match_weight
    assert 0 < scored.probability < richer.probability < 1


def test_prior_falls_with_the_population_never_rises() -> None:
    """λ scales as 1/N above the training size (more namesakes per true pair) and stays at
    the trained value below it."""
    from tomoni.people.matching.model import default_model

    model = default_model()
    assert model.training_records is not None
    n = model.training_records
    assert model.lam_for(None) == model.lam_for(10) == model.lam_for(n) == model.lam
    assert model.lam_for(2 * n - 1) == pytest.approx(model.lam / 2)
    settings = model.splink_settings(population=4 * n)
    assert settings["probability_two_random_records_match"] == pytest.approx(
        model.lam / 4, rel=1e-3
    )
    assert "tomoni_training_records" not in settings
