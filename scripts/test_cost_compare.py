"""scripts/cost-compare: the figures it takes from a summary.json, and the arguments it refuses."""
import importlib.machinery
import importlib.util
import os
import subprocess
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, "cost-compare")


def load():
    loader = importlib.machinery.SourceFileLoader("cost_compare", SCRIPT)
    spec = importlib.util.spec_from_loader("cost_compare", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def summary(window_cpu, whole_cpu, events_window=800, events_whole=1000, duration=10):
    """A summary.json shaped like rsbench's: per-process window and whole-run CPU, per-table inserts, stages."""
    names = ["rsbench", "risksignal", "nats-server", "clickhouse"]
    return {
        "durationSeconds": duration,
        "cost": {"events": events_window, "eventsWholeRun": events_whole},
        "workloads": [{"published": events_whole // 2, "lost": 0}, {"published": events_whole - events_whole // 2, "lost": 1}],
        "resources": [{"name": n, "cpuSeconds": w, "cpuSecondsWholeRun": a} for n, w, a in zip(names, window_cpu, whole_cpu)],
        "latency": {"e2eCorrected": {"count": 5, "p50": 40.0, "p99": 90.0}},
        "stages": {"tables": [{"table": "a", "inserts": 30}, {"table": "b", "inserts": 20}],
                   "overall": {"batch_wait": {"count": 5, "p50": 12.5}, "insert": {"count": 5, "p50": 7.0}}},
    }


class FiguresTests(unittest.TestCase):
    def setUp(self):
        self.cc = load()

    def test_per_event_cost_is_whole_run_cpu_over_every_event(self):
        f = self.cc.figures(summary([1, 2, 3, 4], [2, 4, 6, 8]))
        self.assertAlmostEqual(f["rsbench µs/ev"], 2 / 1000 * 1e6)
        self.assertAlmostEqual(f["clickhouse µs/ev"], 8 / 1000 * 1e6)
        self.assertAlmostEqual(f["stack µs/ev"], 20 / 1000 * 1e6)

    def test_rates_and_cpu_share_use_the_measured_window(self):
        f = self.cc.figures(summary([1, 2, 3, 4], [2, 4, 6, 8]))
        self.assertAlmostEqual(f["achieved/s"], 800 / 10)
        self.assertAlmostEqual(f["stack CPU % of a core"], 10 / 10 * 100)
        self.assertAlmostEqual(f["inserts/s (window)"], 50 / 10)
        self.assertEqual(f["batch_wait p50 ms"], 12.5)
        self.assertEqual(f["e2e p99 ms"], 90.0)
        self.assertEqual(f["lost"], 1)

    def test_a_summary_without_stages_has_no_insert_figures(self):
        s = summary([1, 1, 1, 1], [1, 1, 1, 1])
        del s["stages"]
        f = self.cc.figures(s)
        self.assertNotIn("inserts/s (window)", f)
        self.assertNotIn("batch_wait p50 ms", f)


class ArgumentTests(unittest.TestCase):
    def run_script(self, *args):
        return subprocess.run([sys.executable, SCRIPT, *args], capture_output=True, text=True, timeout=60)

    def test_scenarios_compare_on_exactly_one_build(self):
        with tempfile.TemporaryDirectory() as d:
            for exe in ("rsbench", "risksignal"):
                p = os.path.join(d, exe)
                with open(p, "w") as f:
                    f.write("#!/bin/sh\nexit 0\n")
                os.chmod(p, 0o755)
            r = self.run_script("--bin", f"a={d}", "--bin", f"b={d}", "--scenario", f"x={SCRIPT}")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("exactly one --bin", r.stderr)
            r = self.run_script("--bin", f"a={d}", "--scenario", "x=/nonexistent/scenario.yaml")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("/nonexistent/scenario.yaml is not a file", r.stderr)
            r = self.run_script("--bin", f"a={d}", "--scenario", "no-label")
            self.assertIn("expected LABEL=FILE", r.stderr)

    def test_a_build_without_its_binaries_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            r = self.run_script("--bin", f"a={d}", "--", "scenarios/peak.yaml")
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("is not an executable", r.stderr)


if __name__ == "__main__":
    unittest.main()
