"""Tests for scripts/check-deps: import parsing, both directions of the check, and the exit codes.

Run by `make test-python` (unittest discover over scripts/). No swift needed: the manifest is given
as dump-package JSON.
"""

import contextlib
import importlib.machinery
import importlib.util
import io
import json
import os
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
_loader = importlib.machinery.SourceFileLoader("check_deps", os.path.join(HERE, "check-deps"))
_spec = importlib.util.spec_from_loader("check_deps", _loader)
check_deps = importlib.util.module_from_spec(_spec)
_loader.exec_module(check_deps)


def modules(text):
    return [m for m, _ in check_deps.imports_in(text)]


class ImportParsingTests(unittest.TestCase):
    def test_every_import_form_names_its_module(self):
        text = "\n".join([
            "import Foundation",
            "@testable import Pipeline",
            "@_exported import Logging",
            "@preconcurrency import Glibc",
            "@_spi(Internal) @testable import Reporting",
            "public import Metrics",
            "internal import NIOCore",
            "import struct Capture.UDPReader",
            "import func Zstd.decompress",
            "import JetStream.Submodule",
            "   import Indented",
        ])
        self.assertEqual(modules(text), ["Foundation", "Pipeline", "Logging", "Glibc", "Reporting", "Metrics",
                                         "NIOCore", "Capture", "Zstd", "JetStream", "Indented"])

    def test_imports_inside_if_blocks_count_but_can_import_does_not(self):
        text = "#if canImport(Glibc)\nimport Glibc\n#elseif canImport(Alerting)\nimport Darwin\n#endif\n"
        self.assertEqual(modules(text), ["Glibc", "Darwin"])

    def test_comments_and_strings_are_not_imports(self):
        text = "\n".join([
            "// import LineComment",
            "/* import Block",
            "   /* nested */ import StillInBlock",
            "*/ import AfterBlock",
            'let s = """',
            "import InMultilineString",
            '"""',
            'let r = #"""',
            'import InRawMultiline """ still inside',
            '"""#',
            'let q = #"{"import":"x"}"#',
            'let e = "escaped \\" quote"',
            "import Real",
        ])
        self.assertEqual(check_deps.imports_in(text), [("AfterBlock", 4), ("Real", 13)])

    def test_identifiers_starting_with_import_are_not_imports(self):
        self.assertEqual(modules("importer.run()\nlet imported = 1\n"), [])


class CheckTests(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, rel, text):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)

    @staticmethod
    def target(name, deps=(), kind="regular", **extra):
        entries = []
        for d in deps:
            if isinstance(d, tuple):
                entries.append({"product": [d[0], d[1], None, None]})
            else:
                entries.append({"byName": [d, None]})
        return dict(name=name, type=kind, dependencies=entries, **extra)

    def test_a_matching_package_is_ok(self):
        manifest = {"targets": [
            self.target("CZstd", kind="system"),
            self.target("Core"),
            self.target("Zstd", ["CZstd"]),
            self.target("App", ["Core", "Zstd", ("ArgumentParser", "swift-argument-parser")], kind="executable"),
            self.target("AppTests", ["Core"], kind="test"),
        ]}
        self.write("Sources/Core/A.swift", "import Foundation\n")
        self.write("Sources/Zstd/Z.swift", "import CZstd\n")
        self.write("Sources/App/Main.swift", "import ArgumentParser\nimport Core\n#if canImport(Glibc)\nimport Glibc\n#endif\n")
        self.write("Sources/App/Sub/More.swift", "import Zstd\n")
        self.write("Tests/AppTests/T.swift", "import Testing\n@testable import Core\n")
        checked, undeclared, unused = check_deps.check(manifest, self.root)
        self.assertEqual((checked, undeclared, unused), (4, [], []))
        text, code = check_deps.report(checked, undeclared, unused)
        self.assertEqual(code, 0)
        self.assertEqual(text.splitlines(), ["check-deps: 4 targets ok (Package.swift dependencies match the imports)"])

    def test_both_directions_are_reported_with_target_and_module(self):
        manifest = {"targets": [
            self.target("Core"),
            self.target("Mid", ["Core"]),
            self.target("App", ["Mid", "Unused", ("Logging", "swift-log")], kind="executable"),
        ]}
        self.write("Sources/Core/A.swift", "")
        self.write("Sources/Mid/M.swift", "import Core\n")
        self.write("Sources/App/Main.swift", "import Mid\n\nimport Core\nimport NIOCore\n")
        checked, undeclared, unused = check_deps.check(manifest, self.root)
        self.assertEqual(undeclared, [("App", "Core", "Sources/App/Main.swift:3", "Mid"),
                                      ("App", "NIOCore", "Sources/App/Main.swift:4", None)])
        self.assertEqual(unused, [("App", "Logging"), ("App", "Unused")])
        text, code = check_deps.report(checked, undeclared, unused)
        self.assertEqual(code, 1)
        self.assertIn("App imports Core  (Sources/App/Main.swift:3; today it only arrives transitively through Mid)", text)
        self.assertIn("App imports NIOCore  (Sources/App/Main.swift:4)", text)
        self.assertIn("App declares Logging", text)
        self.assertIn("App declares Unused", text)

    def test_custom_path_and_exclude_are_respected(self):
        manifest = {"targets": [
            self.target("Core"),
            self.target("Tool", ["Core"], path="Tools/tool", exclude=["Old"]),
        ]}
        self.write("Sources/Core/A.swift", "")
        self.write("Tools/tool/Main.swift", "import Core\n")
        self.write("Tools/tool/Old/Legacy.swift", "import Gone\n")
        self.assertEqual(check_deps.check(manifest, self.root), (2, [], []))

    def test_main_reads_a_manifest_file_and_sets_the_exit_code(self):
        manifest = {"targets": [self.target("Core", ["Missing"])]}
        self.write("Sources/Core/A.swift", "import Foundation\n")
        self.write("dump.json", json.dumps(manifest))
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = check_deps.main(["--root", self.root, "--manifest", os.path.join(self.root, "dump.json")])
        self.assertEqual(code, 1)
        self.assertIn("Core declares Missing", out.getvalue())
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = check_deps.main(["--root", self.root, "--manifest", os.path.join(self.root, "nope.json")])
        self.assertEqual(code, 2)
        self.assertIn("cannot read the package manifest", err.getvalue())


if __name__ == "__main__":
    unittest.main()
