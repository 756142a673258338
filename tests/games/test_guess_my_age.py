import copy
import random

from tests.games.conftest import applicable, load_pff

SLUG = "guess_my_age"
CFG = {"active_roles": [0]}


def _fill(op):
    args = []
    for p in op.params:
        assert p["type"] == "int"
        args.append(random.randint(p["min"], p["max"]))
    return args


def _apply(op, s, args):
    return op.state_xition_func(s, args) if op.params else op.state_xition_func(s)


def test_operators_built_at_init(tmp_path):
    mod, f = load_pff(SLUG)
    assert f.operators is None and mod.operators is None and mod.SECRET_AGE is None
    random.seed(3)
    s = f.initialize_problem({"session_folder": str(tmp_path), **CFG})
    random.seed(3)
    assert mod.SECRET_AGE == random.randint(14, 21)
    ops = f.operators.operators
    assert [op.name for op in ops] == ["Guess", "Ask for a hint"]
    assert ops[0].params == [{"name": "age", "type": "int", "min": 14, "max": 21}]
    assert ops[1].params == []
    assert [r.name for r in f.roles_spec.roles] == ["Guesser", "Observer"]
    assert applicable(f, s, 0) == [0, 1]
    assert not hasattr(s, "secret") and str(mod.SECRET_AGE) not in str(s).replace("14 and 21", "")


def test_two_loads_do_not_share_secret(tmp_path):
    secrets = set()
    for seed in range(10):
        mod, f = load_pff(SLUG)
        random.seed(seed)
        f.initialize_problem({"session_folder": str(tmp_path), **CFG})
        secrets.add(mod.SECRET_AGE)
    assert len(secrets) > 1


def test_feedback_and_hint(tmp_path):
    mod, f = load_pff(SLUG)
    random.seed(0)
    s = f.initialize_problem({"session_folder": str(tmp_path), **CFG})
    secret = mod.SECRET_AGE
    guess, hint = f.operators.operators
    s1 = hint.state_xition_func(s)
    assert ("18 or older" in s1.hint) == (secret >= 18)
    assert applicable(f, s1, 0) == [0]
    wrong = 14 if secret != 14 else 21
    s2 = guess.state_xition_func(s1, [wrong])
    assert ("Too low" in s2.jit_transition) == (wrong < secret)
    assert ("Too high" in s2.jit_transition) == (wrong > secret)
    assert not s2.is_goal() and s1.guesses == []
    s3 = guess.state_xition_func(s2, [secret])
    assert s3.is_goal() and s3.is_win(0) and "Correct" in s3.jit_transition
    assert "2 guesses" in s3.goal_message()
    assert applicable(f, s3, 0) == []


def test_binary_search_wins_within_four(tmp_path):
    for seed in range(20):
        mod, f = load_pff(SLUG)
        random.seed(seed)
        s = f.initialize_problem({"session_folder": str(tmp_path), **CFG})
        while not s.is_goal():
            s = f.operators.operators[0].state_xition_func(s, [(s.low + s.high) // 2])
        assert s.solved and len(s.guesses) <= 4


def test_random_playthroughs(tmp_path):
    mod, f = load_pff(SLUG)
    solved = out = 0
    for i in range(50):
        random.seed(i)
        s = f.initialize_problem({"session_folder": str(tmp_path), **CFG})
        secret = mod.SECRET_AGE
        for _ in range(20):
            if s.is_goal():
                break
            ops = applicable(f, s, 0)
            assert ops
            op = f.operators.operators[random.choice(ops)]
            before = copy.deepcopy(s.__dict__)
            ns = _apply(op, s, _fill(op))
            assert s.__dict__ == before
            s = ns
            # no view reveals the secret before the end
            if not s.is_goal():
                for r in (0, 1):
                    v = s.text_view_for_role(r)
                    assert f"I am {secret}" not in v and "secret" not in v.lower()
        assert s.is_goal()
        assert isinstance(s.goal_message(), str) and s.goal_message()
        if s.solved:
            solved += 1
            assert f"{len(s.guesses)} guess" in s.goal_message()
        else:
            out += 1
            assert len(s.guesses) == mod.MAX_GUESSES and str(secret) in s.goal_message()
    assert solved and out
