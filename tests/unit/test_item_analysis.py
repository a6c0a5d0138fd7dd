"""Classical item analysis: facility, discrimination, option counts, flags, exam statistics."""
import pytest

from app.assessments.analysis import (
    DECIMALS, EASY_FACILITY_ABOVE, FLAG_NEGATIVE, FLAG_POOR, FLAG_TOO_EASY, FLAG_TOO_HARD,
    HARD_FACILITY_BELOW, NEGATIVE_DISCRIMINATION_BELOW, POOR_DISCRIMINATION_BELOW, AttemptRecord,
    ExamStats, ItemStats, analyze_items, exam_stats, flag_for, group_size, totals,
)

# Ten attempts by four questions (q2 has one half-credit answer). Option ids
# for q1: "a" is right, "b" and "c" wrong; q4 is multiple response, right
# answer {"x", "y"}.
#
#        q1   q2   q3   q4  | total
#  A0     1    1    1    0  |  3
#  A1     1    1    0    0  |  2
#  A2     1    0    1    0  |  2
#  A3     1    1    0    0  |  2
#  A4     0    0    0    1  |  1
#  A5     1    1    0    0  |  2
#  A6     1    0    0    1  |  2
#  A7     1    1    0    1  |  3
#  A8     0    0    0    1  |  1
#  A9     1   0.5   0    0  |  1.5
#
# Ranked by total, highest first, ties in attempt order:
#   3: A0 A7 | 2: A1 A2 A3 A5 A6 | 1.5: A9 | 1: A4 A8
#   -> A0 A7 A1 A2 A3 A5 A6 A9 A4 A8
# g = max(1, round(0.27 * 10)) = round(2.7) = 3
# upper = A0 A7 A1 (A1 wins the five-way tie at 2 by coming first)
# lower = A9 A4 A8
#
# q1: facility 8/10 = 0.8; upper 1,1,1 = 1; lower 1,0,0 = 1/3;  D = 2/3        -> no flag
# q2: facility 5.5/10 = 0.55; upper 1,1,1 = 1; lower .5,0,0 = 1/6; D = 5/6     -> no flag
# q3: facility 2/10 = 0.2; upper 1,0,0 = 1/3; lower 0,0,0 = 0; D = 1/3         -> too hard
# q4: facility 4/10 = 0.4; upper 0,1,0 = 1/3; lower 0,1,1 = 2/3; D = -1/3      -> negative
MATRIX = [
    (1, 1, 1, 0),
    (1, 1, 0, 0),
    (1, 0, 1, 0),
    (1, 1, 0, 0),
    (0, 0, 0, 1),
    (1, 1, 0, 0),
    (1, 0, 0, 1),
    (1, 1, 0, 1),
    (0, 0, 0, 1),
    (1, 0.5, 0, 0),
]
Q1_CHOICES = ["a", "a", "a", "a", "b", "a", "a", "a", "c", "a"]
Q4_CHOICES = [["x"], ["x", "z"], ["y"], None, ["x", "y"], ["z"], ["y", "x"], ["x", "y"], ["x", "y"], ["w"]]


def _fixture_attempts():
    return [
        AttemptRecord(scores={"q1": row[0], "q2": row[1], "q3": row[2], "q4": row[3]},
                      choices={"q1": Q1_CHOICES[i], "q4": Q4_CHOICES[i]})
        for i, row in enumerate(MATRIX)
    ]


def _by_key(stats):
    return {s.key: s for s in stats}


def test_hand_computed_matrix():
    stats = analyze_items(_fixture_attempts())
    assert [s.key for s in stats] == ["q1", "q2", "q3", "q4"]
    expected = {
        "q1": (0.8, 2 / 3, None),
        "q2": (0.55, 5 / 6, None),
        "q3": (0.2, 1 / 3, FLAG_TOO_HARD),
        "q4": (0.4, -1 / 3, FLAG_NEGATIVE),
    }
    for s in stats:
        facility, discrimination, flag = expected[s.key]
        assert s.n == 10
        assert s.facility == pytest.approx(facility)
        assert s.discrimination == pytest.approx(discrimination)
        assert s.flag == flag


def test_hand_computed_option_counts():
    stats = _by_key(analyze_items(_fixture_attempts()))
    assert stats["q1"].option_counts == {"a": 8, "b": 1, "c": 1}
    # q4: x in A0 A1 A4 A6 A7 A8 = 6; y in A2 A4 A6 A7 A8 = 5; z in A1 A5 = 2; w in A9 = 1
    assert stats["q4"].option_counts == {"x": 6, "y": 5, "z": 2, "w": 1}
    assert list(stats["q4"].option_counts) == ["x", "y", "z", "w"]  # most chosen first
    assert stats["q2"].option_counts == {} and stats["q3"].option_counts == {}


def test_known_options_are_listed_even_when_nobody_chose_them():
    stats = _by_key(analyze_items(_fixture_attempts(), options={"q1": ["a", "b", "c", "d"]}))
    assert stats["q1"].option_counts == {"a": 8, "b": 1, "c": 1, "d": 0}


def test_ties_at_the_cut_follow_attempt_order():
    # Same matrix with A1 moved to the end: now A2 is the first attempt at 2 and
    # joins the upper group (A0 A7 A2), and A1 (total 2) sits above A9 and A4 A8.
    # q3: upper A0 1, A7 0, A2 1 = 2/3; lower A9 A4 A8 = 0 -> D = 2/3 (was 1/3)
    attempts = _fixture_attempts()
    attempts.append(attempts.pop(1))
    assert _by_key(analyze_items(attempts))["q3"].discrimination == pytest.approx(2 / 3)
    # Running it twice gives the same answer.
    assert analyze_items(attempts) == analyze_items(attempts)


def test_plain_mappings_and_given_totals():
    plain = [{"q1": row[0], "q2": row[1], "q3": row[2], "q4": row[3]} for row in MATRIX]
    from_plain = analyze_items(plain)
    from_records = analyze_items(_fixture_attempts())
    assert [(s.facility, s.discrimination, s.flag) for s in from_plain] == [
        (s.facility, s.discrimination, s.flag) for s in from_records]
    # A given total overrides the sum: weighting q4 heavily makes it the ranking.
    weighted = [AttemptRecord(scores=dict(a), total=10 * a["q4"] + a["q1"]) for a in plain]
    q4 = _by_key(analyze_items(weighted))["q4"]
    assert q4.discrimination == pytest.approx(1.0) and q4.flag is None


def test_totals_helper():
    assert totals(_fixture_attempts()) == [3, 2, 2, 2, 1, 2, 2, 3, 1, 1.5]
    assert totals([AttemptRecord(scores={"q": 1}, total=7.5)]) == [7.5]


@pytest.mark.parametrize("n, g", [
    (1, 1), (2, 1), (3, 1), (4, 1), (5, 1), (6, 2), (10, 3), (37, 10), (50, 14), (100, 27),
    (150, 41),  # 40.5 rounds half up (Python's round() would give 40)
    (1000, 270),
])
def test_group_size(n, g):
    assert group_size(n) == g


def test_no_attempts():
    assert analyze_items([]) == []
    assert analyze_items([], keys=["q1"]) == [ItemStats("q1", 0, None, None, {}, None)]
    assert analyze_items([], keys=["q1"], options={"q1": ["a", "b"]})[0].option_counts == {"a": 0, "b": 0}


def test_one_attempt_has_no_discrimination():
    stats = _by_key(analyze_items([{"q1": 1.0, "q2": 0.0, "q3": 0.5}]))
    assert [(s.n, s.facility, s.discrimination) for s in stats.values()] == [
        (1, 1.0, None), (1, 0.0, None), (1, 0.5, None)]
    # Only the facility flags apply.
    assert [s.flag for s in stats.values()] == [FLAG_TOO_EASY, FLAG_TOO_HARD, None]


def test_two_attempts_compare_top_and_bottom():
    # g = 1: the stronger attempt (total 3) against the weaker (total 2).
    stats = _by_key(analyze_items([{"q1": 1, "q2": 1}, {"q1": 0, "q2": 1, "q3": 1, "q4": 1}]))
    assert stats["q1"].discrimination == pytest.approx(-1.0) and stats["q1"].flag == FLAG_NEGATIVE
    assert stats["q2"].discrimination == 0.0 and stats["q2"].flag == FLAG_TOO_EASY
    # q3 was only in one attempt: n = 1, no discrimination.
    assert (stats["q3"].n, stats["q3"].discrimination) == (1, None)


def test_two_attempts_with_equal_totals_split_by_attempt_order():
    stats = _by_key(analyze_items([{"q1": 1, "q2": 0}, {"q1": 0, "q2": 1}]))
    assert stats["q1"].discrimination == 1.0   # the first attempt is the upper group
    assert stats["q2"].discrimination == -1.0


@pytest.mark.parametrize("score, facility, flag", [
    (1.0, 1.0, FLAG_TOO_EASY),
    (0.0, 0.0, FLAG_TOO_HARD),
    (0.5, 0.5, FLAG_POOR),
])
def test_everyone_scores_the_same(score, facility, flag):
    stats = analyze_items([{"q1": score, "q2": score} for _ in range(12)])
    for s in stats:
        assert (s.n, s.facility, s.discrimination, s.flag) == (12, facility, 0.0, flag)


def test_hundred_attempts():
    # Attempt i scores i/99 on "base" (so strength rises with i) and 1 on "item"
    # for the top half. g = 27: upper = i 99..73, all 1; lower = i 26..0, all 0.
    attempts = [{"base": i / 99, "item": 1 if i >= 50 else 0, "flat": 0.5} for i in range(100)]
    stats = _by_key(analyze_items(attempts))
    assert stats["item"].n == 100
    assert stats["item"].facility == 0.5
    assert stats["item"].discrimination == 1.0
    assert stats["item"].flag is None
    assert stats["base"].facility == pytest.approx(0.5)
    # upper mean (73..99)/99 = 86/99; lower mean (0..26)/99 = 13/99 -> D = 73/99
    assert stats["base"].discrimination == pytest.approx(73 / 99)
    assert stats["flat"].discrimination == 0.0 and stats["flat"].flag == FLAG_POOR


def test_questions_drawn_at_random_count_only_their_attempts():
    attempts = [{"q1": 1, "q2": 1}, {"q1": 0}, {"q2": 0, "q3": 1}, {"q1": 1, "q3": 0}]
    stats = _by_key(analyze_items(attempts, keys=["q3", "q1", "q2", "q9"]))
    assert list(stats) == ["q3", "q1", "q2", "q9"]
    assert (stats["q1"].n, stats["q1"].facility) == (3, pytest.approx(2 / 3))
    assert (stats["q2"].n, stats["q2"].facility) == (2, 0.5)
    assert (stats["q9"].n, stats["q9"].facility, stats["q9"].flag) == (0, None, None)


def test_multiple_response_counts_each_chosen_id_once_per_attempt():
    attempts = [
        AttemptRecord(scores={"m": 1}, choices={"m": ["x", "y"]}),
        AttemptRecord(scores={"m": 0}, choices={"m": ("y", "y", "z")}),
        AttemptRecord(scores={"m": 0}, choices={"m": None}),
        AttemptRecord(scores={"m": 0}, choices={}),
        AttemptRecord(scores={"m": 0}, choices={"other": "q"}),   # not a question in this attempt
    ]
    stats = analyze_items(attempts)
    assert [s.key for s in stats] == ["m"]
    assert stats[0].option_counts == {"y": 2, "x": 1, "z": 1}


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="0 to 1"):
        analyze_items([{"q1": 1.5}])
    with pytest.raises(ValueError, match="0 to 1"):
        analyze_items([{"q1": float("nan")}])
    with pytest.raises(ValueError, match="0 to 1"):
        analyze_items([{"q1": "1"}])
    with pytest.raises(ValueError, match="total"):
        analyze_items([AttemptRecord(scores={"q1": 1}, total=float("inf"))])
    with pytest.raises(TypeError, match="list of ids"):
        analyze_items([AttemptRecord(scores={"q1": 1}, choices={"q1": {"left": "right"}})])
    with pytest.raises(TypeError, match="strings"):
        analyze_items([AttemptRecord(scores={"q1": 1}, choices={"q1": [1, 2]})])


# --- flags at their thresholds ----------------------------------------------

def test_thresholds_are_the_documented_ones():
    assert (HARD_FACILITY_BELOW, EASY_FACILITY_ABOVE) == (0.30, 0.90)
    assert (POOR_DISCRIMINATION_BELOW, NEGATIVE_DISCRIMINATION_BELOW) == (0.20, 0.0)
    assert FLAG_TOO_HARD == "too hard (facility below 0.30)"
    assert FLAG_TOO_EASY == "too easy (facility above 0.90)"
    assert FLAG_POOR == "poor discrimination (below 0.20)"
    assert FLAG_NEGATIVE == "negative discrimination: stronger officers got it wrong more often"


@pytest.mark.parametrize("facility, discrimination, flag", [
    (0.30, 0.5, None),              # exactly at the hard threshold: fine
    (0.29, 0.5, FLAG_TOO_HARD),
    (0.90, 0.5, None),              # exactly at the easy threshold: fine
    (0.91, 0.5, FLAG_TOO_EASY),
    (0.6, 0.20, None),              # exactly at the poor threshold: fine
    (0.6, 0.19, FLAG_POOR),
    (0.6, 0.0, FLAG_POOR),          # zero is poor, not negative
    (0.6, -0.01, FLAG_NEGATIVE),
    (0.1, -0.5, FLAG_NEGATIVE),     # negative outranks too hard
    (0.95, -0.5, FLAG_NEGATIVE),    # and too easy
    (0.2, 0.1, FLAG_TOO_HARD),      # too hard outranks poor
    (0.95, 0.0, FLAG_TOO_EASY),     # too easy outranks poor
    (0.5, None, None),              # one attempt: no discrimination flags
    (0.95, None, FLAG_TOO_EASY),
    (None, None, None),             # nobody took it
])
def test_flag_for(facility, discrimination, flag):
    assert flag_for(facility, discrimination) == flag


def test_facility_flags_at_the_threshold_from_data():
    # 3 of 10 right is exactly 0.30: not too hard; 2 of 10 is. 9 of 10 is exactly 0.90: not too easy.
    def facility_flag(right):
        stats = analyze_items([{"q": 1 if i < right else 0, "s": 1 if i < right else 0} for i in range(10)])
        return stats[0].facility, stats[0].flag
    assert facility_flag(3) == (0.3, None)
    assert facility_flag(2) == (0.2, FLAG_TOO_HARD)
    assert facility_flag(9) == (0.9, None)
    assert facility_flag(10) == (1.0, FLAG_TOO_EASY)


def test_float_noise_does_not_decide_a_flag():
    # Two attempts, g = 1: D = 0.7 - 0.5, which in floats is 0.19999999999999996.
    assert 0.7 - 0.5 < 0.2
    stats = analyze_items([{"q": 0.7}, {"q": 0.5}])
    assert stats[0].discrimination == 0.2 and stats[0].flag is None
    # Three of seven attempts score 0.7: the mean is 2.1 / 7 = 0.3, which in floats
    # is 0.29999999999999993; rounded it is exactly 0.3 -> not too hard.
    assert (0.7 + 0.7 + 0.7) / 7 < 0.3
    stats = analyze_items([{"q": 0.7}] * 3 + [{"q": 0.0}] * 4)
    assert stats[0].facility == 0.3 and stats[0].flag is None
    assert DECIMALS == 9


# --- exam statistics ---------------------------------------------------------

def test_exam_stats_hand_computed():
    # scores 60 70 80 90 100: mean 80, median 80, population variance
    # (400 + 100 + 0 + 100 + 400) / 5 = 200 -> stdev 14.142135624; pass mark 80 -> 3/5 pass.
    stats = exam_stats([70, 100, 60, 90, 80], pass_mark=80)
    assert stats.n == 5 and stats.mean == 80 and stats.median == 80
    assert stats.stdev == pytest.approx(200 ** 0.5)
    assert stats.pass_rate == 0.6


def test_exam_stats_edge_cases():
    assert exam_stats([], pass_mark=80) == ExamStats(0, None, None, None, None)
    assert exam_stats([75], pass_mark=80) == ExamStats(1, 75, 75, 0.0, 0.0)
    assert exam_stats([80, 80], pass_mark=80) == ExamStats(2, 80, 80, 0.0, 1.0)
    assert exam_stats([60, 90], pass_mark=80).median == 75
    assert exam_stats(iter([0.5, 1.0]), pass_mark=0.8).pass_rate == 0.5
    assert exam_stats(totals(_fixture_attempts()), pass_mark=2).pass_rate == 0.7
    with pytest.raises(ValueError):
        exam_stats([float("nan")], pass_mark=80)
    with pytest.raises(ValueError):
        exam_stats([80], pass_mark=float("inf"))
