"""deploy/ and `make serve`: the environment template lists every variable the settings read (and
nothing else); the stack refuses to start, in one Chinese line, without production keys."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

from config.settings import DEV_FIELD_KEY

ROOT = Path(__file__).resolve().parents[3]
# Every file that reads the environment when the production stack starts.
READERS = ["config/settings.py", "config/gunicorn.py", "config/serve.py"]
ENV_CALLS = {"env", "env_bool", "env_list", "secret_env", "getenv", "get"}


def variables_read(path: Path) -> set[str]:
    names = set()
    tree = ast.parse(path.read_text())
    # The helpers themselves pass their parameter on; every other read must name its variable.
    helpers = {
        id(inner)
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name in ENV_CALLS
        for inner in ast.walk(node)
    }
    for node in ast.walk(tree):
        if id(node) in helpers:
            continue
        if isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            environ = (name in {"get", "getenv"} and "environ" in ast.unparse(func)) or name == "getenv"
            if name in ENV_CALLS - {"get", "getenv"} or environ:
                first = node.args[0]
                assert isinstance(first, ast.Constant), f"{path.name}:{node.lineno}: a variable name must be a literal"
                names.add(first.value)
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ" and isinstance(node.slice, ast.Constant):
            names.add(node.slice.value)
    return names


def listed() -> set[str]:
    text = (ROOT / "deploy" / "qiangji.env.example").read_text()
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def test_the_environment_template_lists_every_variable_the_settings_read():
    read = set().union(*(variables_read(ROOT / name) for name in READERS))
    assert {"DJANGO_SECRET_KEY", "DATABASE_URL", "DJANGO_EMAIL_BACKEND", "QIANGJI_WEB_WORKERS"} <= read
    assert read - listed() == set(), "add these to deploy/qiangji.env.example"
    assert listed() - read == set(), "no setting reads these any more"


def test_each_variable_in_the_template_has_a_comment_in_chinese_and_english():
    lines = (ROOT / "deploy" / "qiangji.env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^#?[A-Z][A-Z0-9_]+=", line):
            comments = []
            for above in reversed(lines[:index]):
                if not above.startswith("# "):
                    break
                comments.append(above)
            comment = " ".join(comments)
            assert re.search(r"[\u4e00-\u9fff]", comment) and re.search(r"[A-Za-z]{3,}", comment), line


def serve(env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    return subprocess.run(
        [sys.executable, "-m", "config.serve", "--port", "1"],
        cwd=ROOT,
        env=base | env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_make_serve_refuses_to_start_without_the_production_keys_and_says_which():
    result = serve({"DJANGO_DEBUG": "0"})
    assert result.returncode == 2
    assert result.stderr.startswith("无法启动：生产环境必须设置环境变量 DJANGO_SECRET_KEY")
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_make_serve_refuses_the_public_development_keys_and_debug():
    keys = {"DJANGO_SECRET_KEY": "x" * 50, "QIANGJI_FIELD_KEY": DEV_FIELD_KEY, "QIANGJI_HASH_KEY": "y" * 40}
    result = serve(keys)
    assert (result.returncode, result.stderr.splitlines()) == (
        2,
        ["无法启动：环境变量 QIANGJI_FIELD_KEY 用的是代码库中公开的开发密钥，生产环境不能使用，请换成自己生成的密钥。"],
    )
    result = serve(keys | {"QIANGJI_FIELD_KEY": "z" * 44, "DJANGO_DEBUG": "1"})
    assert (result.returncode, result.stderr.splitlines()) == (2, ["无法启动：生产环境不能开启调试模式：请去掉 DJANGO_DEBUG=1。"])
