"""Time limits of the exact committee rules (PAV, CC, Monroe) and the EJR/PJR audits.

Impartial-culture approvals are the hard case of the committee integer programs: on
``HARD`` (100 voters, 40 candidates, k = 8) each of PAV, Chamberlin--Courant and Monroe
needs about a second or more, so a budget of 0.05 s must stop them with a typed
:class:`~socialchoice.TimeLimitError` -- promptly, because HiGHS itself gets the budget.
"""

from __future__ import annotations

import math
import pickle
import time
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from collective.main import app
from socialchoice import DEFAULT_TIME_LIMIT, RuleInputError, TimeLimitError, committee

EXACT = ("pav", "chamberlin_courant", "monroe")
SEQUENTIAL = ("seq_pav", "seq_phragmen", "equal_shares")
HARD = np.random.default_rng(1).random((100, 40)) < 0.3
K = 8
LIMIT = 0.05
#: The budget is handed to HiGHS, so a search stops close to it; this bound is generous
#: for a loaded machine yet far below the seconds the searches need without a limit.
PROMPT = 5.0


@pytest.mark.parametrize("resolute", [True, False])
@pytest.mark.parametrize("rule", EXACT)
def test_a_tiny_limit_stops_the_exact_rules_promptly(rule: str, resolute: bool) -> None:
    start = time.perf_counter()
    with pytest.raises(TimeLimitError) as info:
        committee.select(HARD, K, rule, resolute=resolute, time_limit=LIMIT)
    assert time.perf_counter() - start < PROMPT
    err = info.value
    assert err.rule == rule and err.time_limit == LIMIT
    message = str(err)
    assert rule in message and "0.05 s" in message
    assert "larger time_limit" in message and "time_limit=None" in message
    assert pickle.loads(pickle.dumps(err)).rule == rule


@pytest.mark.parametrize("rule", EXACT)
def test_the_public_functions_take_the_limit(rule: str) -> None:
    func = getattr(committee, rule)
    with pytest.raises(TimeLimitError, match=rule):
        func(HARD, K, time_limit=LIMIT)
    with pytest.raises(TimeLimitError, match=rule):
        committee.COMMITTEE_RULES[rule](HARD, K, time_limit=LIMIT)


def test_the_default_limit_is_documented_and_declared() -> None:
    assert DEFAULT_TIME_LIMIT == 10.0
    for name, rule in committee.COMMITTEE_RULES.items():
        assert ("time_limit" in rule.options) == (name in EXACT + SEQUENTIAL), name
    for name in EXACT + SEQUENTIAL:
        func = getattr(committee, name)
        assert func.__signature__.parameters["time_limit"].default == DEFAULT_TIME_LIMIT
        assert "time_limit" in func.__doc__
    assert "time_limit" in committee.select.__doc__


@pytest.mark.parametrize("rule", EXACT)
def test_no_limit_and_a_generous_limit_give_the_exact_answer(rule: str) -> None:
    """18 candidates, k = 5: 8,568 committees, past brute force, so the integer program runs."""
    rng = np.random.default_rng(7)
    A = rng.random((30, 18)) < 0.3
    compute = committee.COMMITTEE_RULES[rule].compute
    U, w = A.astype(float), np.ones(30)
    brute = compute(U, w, 5, resolute=False, is_approval=True, method="brute-force")
    assert committee.select(A, 5, rule, resolute=False, time_limit=None) == brute
    assert committee.select(A, 5, rule, time_limit=None) == brute[0]
    assert committee.select(A, 5, rule, time_limit=60) == brute[0]


@pytest.mark.parametrize("bad", [-1, -0.5, math.nan, math.inf, "10", True])
def test_the_limit_is_validated(bad: object) -> None:
    A = [[1, 0, 1], [0, 1, 1]]
    expected = "The 'time_limit' parameter of {} must be"
    with pytest.raises(RuleInputError, match=expected.format("select")):
        committee.select(A, 1, "pav", time_limit=bad)
    with pytest.raises(RuleInputError, match=expected.format("select")):
        committee.select(A, 1, "approval_voting", time_limit=bad)  # validated for every rule
    with pytest.raises(RuleInputError, match=expected.format("monroe")):
        committee.monroe(A, 1, time_limit=bad)


@pytest.mark.parametrize("rule", SEQUENTIAL)
def test_a_limit_stops_the_search_over_every_tie_of_a_sequential_rule(rule: str) -> None:
    """40 candidates each approved by one voter: every step ties all the rest, so
    resolute=False would follow a million branches (12-80 s) before refusing."""
    A = np.eye(40, dtype=bool)
    start = time.perf_counter()
    with pytest.raises(TimeLimitError, match=f"{rule} did not finish within its time limit "
                       "of 0.2 s") as info:
        committee.select(A, 10, rule, resolute=False, time_limit=0.2)
    assert time.perf_counter() - start < PROMPT and info.value.rule == rule
    # one path of k polynomial steps is not limited
    assert committee.select(A, 10, rule, time_limit=0) == tuple(range(10))
    # a small instance with every tie followed finishes without a limit
    assert committee.select(np.eye(6, dtype=bool), 2, rule, resolute=False,
                            time_limit=None) == [(i, j) for i in range(6) for j in range(i + 1, 6)]


def test_rules_without_a_search_ignore_the_limit_and_unknown_options_are_refused() -> None:
    A = [[1, 0, 1], [0, 1, 1]]
    assert committee.select(A, 1, "seq_phragmen", time_limit=0) == (2,)
    assert committee.approval_voting(A, 1, time_limit=None) == (2,)
    assert committee.pav(A, 1, time_limit=0) == (2,)  # brute force: no search to limit
    with pytest.raises(RuleInputError, match="'pav' has no option 'method'; its options are: "
                       "time_limit"):
        committee.pav(A, 1, method="ilp")


# ----------------------------------------------------------------- audits

# EJR+ fails, so the exact EJR/PJR search runs (the docstring example of is_ejr)
FAILS = [[1, 1, 0, 0]] * 4 + [[0, 0, 1, 1]] * 2


@pytest.mark.parametrize("method", ["auto", "search", "milp"])
@pytest.mark.parametrize("audit", ["is_ejr", "is_pjr"])
def test_the_exact_audits_stop_when_the_time_is_spent(audit: str, method: str) -> None:
    func = getattr(committee, audit)
    with pytest.raises(TimeLimitError, match=f"{audit} did not finish") as info:
        func(FAILS, [0, 2, 3], method=method, time_limit=0)
    assert info.value.rule == audit
    assert func(FAILS, [0, 2, 3], method=method, time_limit=None) == func(FAILS, [0, 2, 3])
    assert not func(FAILS, [0, 2, 3], method=method, time_limit=None).holds
    # a committee satisfying EJR+ needs no search, so even no time at all is enough
    assert func(FAILS, [0, 1, 2], method=method, time_limit=0).holds


def test_the_report_shares_one_budget_and_validates_it() -> None:
    with pytest.raises(TimeLimitError, match="proportionality_report did not finish"):
        committee.proportionality_report(FAILS, [0, 2, 3], time_limit=0)
    report = committee.proportionality_report(FAILS, [0, 2, 3], time_limit=None)
    assert report == committee.proportionality_report(FAILS, [0, 2, 3])
    assert not report.ejr.holds and not report.pjr.holds
    assert committee.proportionality_report(FAILS, [0, 1, 2], time_limit=0).ejr.holds
    for func in (committee.is_ejr, committee.is_pjr, committee.proportionality_report):
        with pytest.raises(RuleInputError, match="'time_limit' parameter of"):
            func(FAILS, [0, 2, 3], time_limit=-1)


# ----------------------------------------------------------------- CLI

runner = CliRunner()


def _csv(tmp_path: Path, A: np.ndarray) -> str:
    path = tmp_path / "approvals.csv"
    header = ",".join(f"c{j}" for j in range(A.shape[1]))
    rows = "\n".join(",".join(str(int(x)) for x in row) for row in A)
    path.write_text(header + "\n" + rows + "\n")
    return str(path)


def test_the_cli_reports_a_time_out_cleanly(tmp_path: Path) -> None:
    path = _csv(tmp_path, HARD)
    result = runner.invoke(app, ["committee", path, "-k", str(K), "--time-limit", "0.05"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and result.exception is not None
    assert isinstance(result.exception, SystemExit)
    assert "rule pav did not finish within --time-limit 0.05 s" in result.stderr
    assert "raise --time-limit SECONDS (0 = no limit)" in result.stderr


def test_the_cli_time_limit_option(tmp_path: Path) -> None:
    A = np.array([[1, 1, 0, 0]] * 4 + [[0, 0, 1, 1]] * 2)
    path = _csv(tmp_path, A)
    for limit in ("0", "30"):  # 0 = no limit
        result = runner.invoke(app, ["committee", path, "-k", "3", "--time-limit", limit,
                                     "--audit", "--format", "json"])
        assert result.exit_code == 0, result.output
        assert '"c0"' in result.stdout
    result = runner.invoke(app, ["committee", path, "-k", "3", "--time-limit", "-1"])
    assert result.exit_code == 2
    assert "--time-limit" in result.output
    help_text = runner.invoke(app, ["committee", "--help"], terminal_width=200).stdout
    assert "--time-limit" in help_text and "SECONDS" in help_text
    assert "no limit" in help_text
