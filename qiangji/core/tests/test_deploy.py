"""deploy/: the environment template lists every variable the settings read, and nothing else."""

import ast
import re
from pathlib import Path

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
