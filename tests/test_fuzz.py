"""Random command lines: the parsers answer with exit 0 or 2 and one line, never a traceback."""
import contextlib
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from pss_theory import checks
from pss_theory.errors import InputError
from verify import cli, runner

FLAGS = ["--n", "--d", "--k", "--family", "--table", "--eps", "--delta", "--seed", "--device", "--trials", "--rho",
         "--pairs", "--top", "--s", "--density", "--Z", "--compression", "--block-rows", "--k-points", "--key"]
VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(-10**30, 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["1e6", "1e400", "-0", "nan", "inf", "all", "gaussian,srht", "osnap", "zipf", "0.5", "1", "gpu",
                     "", " ", "1_000", "0x10", "--n"]),
)
ARGV = st.lists(st.one_of(st.sampled_from(FLAGS), VALUES), max_size=8)


def parse_only(check, argv):
    """What each command does before any work: parse, then plan (every input checked)."""
    args = runner.parser(check).parse_args(argv)
    args.n, args.d = min(getattr(args, "n", None) or 1000, 1000), min(getattr(args, "d", None) or 8, 8)  # tiny plans
    check.plan(runner.options_from(check, args))


@settings(max_examples=300)
@given(check=st.sampled_from([checks.CHECKS[name] for name in ("theorem6", "theorem7", "theorem4")]), argv=ARGV)
def test_parsers_never_trace_back(check, argv):
    def main(a):
        parse_only(check, a)
        return 0

    buf = io.StringIO()
    with contextlib.redirect_stderr(buf), contextlib.redirect_stdout(io.StringIO()):
        try:
            code = cli.run(main, argv)
        except SystemExit as exc:  # -h / --help print the help and exit 0
            code = exc.code
    err = buf.getvalue()
    assert code in (0, 2)
    if code == 2:
        assert err.count("\n") == 1 and err.startswith("error: ")


def test_input_error_is_a_value_error():
    assert issubclass(InputError, ValueError) and issubclass(cli.UsageError, InputError)
