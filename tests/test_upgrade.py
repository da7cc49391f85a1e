"""Upgrading an installation (docs/operations.md, "升级"): the previous release's database, built
by that release's own code, is migrated forward by this code and still reads.

The previous release is taken from git history (docs/releases.md names its commit): `git archive`
of that commit into a temporary folder, whose `manage.py migrate` and `seed_demo` build a demo
town in a fresh SQLite file with this virtualenv. Then this checkout's `migrate` runs on that
file; afterwards no migration is pending, every member is still there, and a member's ID number
decrypts to what the old release stored and finds the member by search. CI clones main with its
history; a clone without it fails here with the reason (docs/decisions.md).
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# The last release before this one (docs/releases.md): update both when a release is made.
PREVIOUS_RELEASE = "a14d5da011ca5fc6c1805801ed2a71add5b5bf60"

pytestmark = pytest.mark.demo

PROBE = """
import json
from qiangji.members.models import Member
first = Member.objects.order_by("pk").first()
print(json.dumps({"members": Member.objects.count(), "pk": first.pk, "id_number": first.id_number,
                  "found": list(Member.objects.search(first.id_number).values_list("pk", flat=True))}))
"""


def git(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["git", "-C", str(settings.BASE_DIR), *args], capture_output=True, check=False, **kwargs)


def manage(cwd: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert result.returncode == 0, f"manage.py {' '.join(args)} in {cwd} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def probe(cwd: Path, env: dict[str, str]) -> dict:
    # The JSON is the last line (the shell may say what it imported first).
    return json.loads(manage(cwd, env, "shell", "-c", PROBE).strip().splitlines()[-1])


def has_previous_release() -> bool:
    return git("cat-file", "-e", f"{PREVIOUS_RELEASE}^{{commit}}").returncode == 0


def test_the_previous_release_database_migrates_forward(tmp_path):
    if not has_previous_release() and git("rev-parse", "--is-shallow-repository").stdout.strip() == b"true":
        git("fetch", "--quiet", "--unshallow")  # a shallow clone can fetch the rest from where it came from
    if not has_previous_release():
        pytest.fail(
            f"The upgrade test needs the previous release's commit {PREVIOUS_RELEASE[:7]} from git history, "
            "and this checkout does not have it (a shallow clone, or no .git). Run it in a full clone "
            "(`git clone` without --depth, or `git fetch --unshallow`)."
        )
    old = tmp_path / "previous"
    old.mkdir()
    archive = git("archive", "--format=tar", PREVIOUS_RELEASE)
    assert archive.returncode == 0, archive.stderr.decode()
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "QIANGJI_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="1",
        QIANGJI_DEMO="1",  # the public development keys: the same in both releases
        DATABASE_URL=f"sqlite:///{tmp_path / 'town.sqlite3'}",
        QIANGJI_MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONPATH="",
    )
    manage(old, env, "migrate", "--noinput")
    manage(old, env, "seed_demo", "--members", "200", "--today", "2026-12-01")
    before = probe(old, env)
    assert before["members"] >= 200 and before["found"] == [before["pk"]]

    here = Path(settings.BASE_DIR)
    manage(here, env, "migrate", "--noinput")
    manage(here, env, "migrate", "--check")
    after = probe(here, env)
    assert after == before

    # The old release's values carry no key id; rotation (same key) gives them one, and then
    # nothing is left under an old or unnamed key.
    manage(here, env, "rotate_keys")
    assert "核对通过" in manage(here, env, "rotate_keys", "--check")
    assert probe(here, env) == before
