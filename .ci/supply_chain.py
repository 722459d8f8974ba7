"""Supply-chain checks run by .ci/run before `make test`.

- bandit: no high-severity finding in our code (fails CI).
- pip-audit: no known vulnerability in requirements.txt (fails CI). pip-audit needs
  PyPI's vulnerability data over the network. Where it cannot reach it, every package
  comes back "could not be audited"; that is said loudly and is not counted as a pass,
  but it does not fail CI on its own (a sandbox without network would otherwise never
  go green). Run it where PyPI is reachable to get a real answer.
"""

import json
import subprocess  # noqa: S404 - fixed commands, no shell, no user input
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run_bandit() -> bool:
    result = subprocess.run(  # noqa: S603
        [BIN / "bandit", "-q", "-r", "community", "groups", "-x", "*/migrations/*", "--severity-level", "high"],
        cwd=ROOT,
        check=False,
    )
    print("bandit: no high-severity findings" if result.returncode == 0 else "bandit: HIGH-SEVERITY FINDINGS above")
    return result.returncode == 0


def run_pip_audit() -> bool:
    result = subprocess.run(  # noqa: S603
        [
            BIN / "pip-audit",
            "-r",
            "requirements.txt",
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print("pip-audit: COULD NOT RUN (no advisory data reachable?); requirements.txt is NOT AUDITED.")
        print(result.stderr.strip().splitlines()[-1] if result.stderr.strip() else "")
        return True
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        ids = ", ".join(v["id"] for v in dependency["vulns"])
        print(f"pip-audit: {dependency['name']} {dependency['version']} is VULNERABLE: {ids}")
    if vulnerable:
        return False
    if audited == 0:
        print(
            f"pip-audit: COULD NOT REACH PyPI's vulnerability data: all {len(skipped)} packages were skipped, "
            "so requirements.txt is NOT AUDITED here. Run .ci/run where pypi.org is reachable."
        )
        return True
    if skipped:
        print(f"pip-audit: {len(skipped)} packages could not be audited: " + ", ".join(d["name"] for d in skipped))
    print(f"pip-audit: no known vulnerabilities in {audited} audited packages")
    return True


if __name__ == "__main__":
    ok = run_bandit()
    ok = run_pip_audit() and ok
    sys.exit(0 if ok else 1)
