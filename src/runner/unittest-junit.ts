/**
 * unittest has no JUnit option, so a `python -m unittest …` test command runs as
 * `python -c "$PYLOT_UNITTEST_JUNIT" -m unittest …` (or `… -m coverage run -m unittest …`): this
 * script swaps the result class of unittest's own runner for one that also records each test,
 * then runs the module named after `-m` as `python -m` would. Console output and exit code are
 * unittest's; the JUnit XML goes to $PYLOT_JUNIT_PATH when the run ends. Only the first result
 * made is recorded (a test that runs a suite of its own stays out of the report). Stdlib only,
 * Python 3.9 to 3.13; being `-c` code, coverage.py never measures it.
 */
export const UNITTEST_JUNIT_SCRIPT = String.raw`
import os, re, runpy, sys, time, unittest, unittest.runner
from xml.etree import ElementTree as ET

LIMIT = 65536
INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
cases = []
results = []


def clean(text):
    text = INVALID.sub("\ufffd", text)
    return text if len(text) <= LIMIT else text[:LIMIT] + "\n[truncated by Pylot]"


def names(test):
    case = getattr(test, "test_case", None)
    if isinstance(case, unittest.TestCase):
        classname, name = names(case)
        return classname, (name + " " + getattr(test, "_subDescription", lambda: "")()).strip()
    if isinstance(test, unittest.TestCase):
        kind = type(test)
        return kind.__module__ + "." + kind.__qualname__, getattr(test, "_testMethodName", str(test))
    holder = re.match(r"^(\S+) \((.+)\)$", str(test))
    return (holder.group(2), holder.group(1)) if holder else ("", str(test))


def describe(err):
    try:
        text = str(err[1])
    except Exception:
        text = ""
    first = text.strip().splitlines()[0] if text.strip() else ""
    return err[0].__name__ + (": " + first if first else "")


class Recorder(unittest.TextTestResult):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pylot_on = not results
        results.append(self)
        self._pylot_started = {}

    def startTest(self, test):
        self._pylot_started[id(test)] = time.perf_counter()
        super().startTest(test)

    def _pylot(self, test, outcome=None, message="", details=""):
        if not self._pylot_on:
            return
        started = self._pylot_started.get(id(getattr(test, "test_case", test)))
        seconds = 0.0 if started is None else time.perf_counter() - started
        classname, name = names(test)
        cases.append((classname, name, seconds, outcome, message, details))

    def _pylot_problem(self, test, outcome, err, listed):
        self._pylot(test, outcome, describe(err), listed[-1][1] if listed else "")

    def addSuccess(self, test):
        super().addSuccess(test)
        self._pylot(test)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._pylot_problem(test, "failure", err, self.failures)

    def addError(self, test, err):
        super().addError(test, err)
        self._pylot_problem(test, "error", err, self.errors)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            failed = issubclass(err[0], test.failureException)
            listed = self.failures if failed else self.errors
            self._pylot_problem(subtest, "failure" if failed else "error", err, listed)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._pylot(test, "skipped", str(reason))

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._pylot(test, "skipped", "expected failure")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._pylot(test, "failure", "unexpected success: the test is marked expectedFailure")


def write(path):
    suite = ET.Element("testsuite", name="unittest")
    counts = {"failure": 0, "error": 0, "skipped": 0}
    for classname, name, seconds, outcome, message, details in cases:
        attrs = {"classname": clean(classname), "name": clean(name), "time": "%.6f" % seconds}
        case = ET.SubElement(suite, "testcase", attrs)
        if outcome is not None:
            counts[outcome] += 1
            ET.SubElement(case, outcome, message=clean(message)).text = clean(details) or None
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(counts["failure"]))
    suite.set("errors", str(counts["error"]))
    suite.set("skipped", str(counts["skipped"]))
    suite.set("time", "%.6f" % sum(case[2] for case in cases))
    root = ET.Element("testsuites")
    root.append(suite)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def main():
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "-m":
        sys.stderr.write("pylot: expected -m <module> [arguments]\n")
        sys.exit(2)
    unittest.runner.TextTestRunner.resultclass = Recorder
    sys.path[0] = os.getcwd()
    sys.argv = args[1:]
    path = os.environ.get("PYLOT_JUNIT_PATH", "")
    try:
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    finally:
        if path and results:
            try:
                write(path)
            except Exception as error:
                sys.stderr.write("pylot: could not write %s: %s\n" % (path, error))


main()
`;
