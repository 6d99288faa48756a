"""班级名单与登录码 / The class roster, each participant's login code, and printable login slips.

The teacher keeps a roster, one participant a line: a username (pinyin or a staff number) and, optionally, the
person's name as printed on the slip. ``#`` starts a comment anywhere on a line::

    # 2026 年春季专题班
    zhangsan   张三
    lisi       李四        # 第二天才到
    # wangwu   王五        已退课

Then, on the server (or on the teacher's own computer: this file needs only Python)::

    python3 deploy/roster.py check                  # 检查名单，指出有问题的行
    python3 deploy/roster.py slips --url https://…  # 给还没有登录码的人各生成一个，写出可打印的登录条
    python3 deploy/roster.py reissue zhangsan       # 补发：旧登录码立即失效，账号随即解锁
    python3 deploy/roster.py teacher laoshi         # 老师的密码（至少 16 个字符，或自动生成）

Each code is random (10 characters from an alphabet without look-alikes such as 0/o and 1/l). The passwords
file keeps only salted PBKDF2 hashes, one ``name role hash`` line each, mode 600; the plain codes exist only on
the printed slips. Defaults: /etc/xinzhi/roster.txt and /etc/xinzhi/passwords, or $XINZHI_ROSTER and
$XINZHI_PASSWORDS (the same variables the hub reads).
"""
from __future__ import annotations

import argparse
import base64
import getpass
import hashlib
import hmac
import html
import os
import re
import secrets
import sys
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ROSTER = os.environ.get("XINZHI_ROSTER") or "/etc/xinzhi/roster.txt"
PASSWORDS = os.environ.get("XINZHI_PASSWORDS") or "/etc/xinzhi/passwords"
USERNAME = re.compile(r"[a-z][a-z0-9_-]{0,23}")  # TLJH adds "jupyter-"; system names stop at 32 characters
DISPLAY_NAME_LIMIT = 32
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # no 0/o, 1/l/i: read off paper without doubt
CODE_LENGTH = 10
TEACHER_MIN_LENGTH = 16
ALGORITHM, ITERATIONS = "pbkdf2_sha256", 200_000
PARTICIPANT, TEACHER = "participant", "teacher"
DASHES = re.compile(r"[\s\-‐‑‒–—―－]+")


class RosterError(ValueError):
    """A roster (or passwords) problem, worded in Chinese for the teacher, naming the file and line."""


@dataclass(frozen=True)
class Entry:
    name: str
    display: str
    line: int


def username_problem(name: str) -> str:
    """Why ``name`` cannot be a username (Chinese), or "" when it can."""
    if USERNAME.fullmatch(name):
        return ""
    return (f"用户名“{name[:40]}”不合格：只能用小写英文字母、数字、_ 和 -，以字母开头，最多 24 个字符"
            "（例如拼音 zhangsan 或工号 a1024）")


def parse_roster(text: str, source: str = "名单") -> list[Entry]:
    """One entry per line that has one; ``#`` starts a comment anywhere. Raises RosterError naming the line."""
    entries: dict[str, Entry] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.split("#", 1)[0].strip()
        if not content:
            continue
        name, display = (content.split(None, 1) + [""])[:2]
        display = display.strip()
        where = f"{source} 第 {number} 行（{raw.strip()[:60]}）"
        problem = username_problem(name)
        if problem:
            raise RosterError(f"{where}：{problem}。")
        if len(display) > DISPLAY_NAME_LIMIT or any(unicodedata.category(ch).startswith("C") for ch in display):
            raise RosterError(f"{where}：姓名太长或含有控制字符（最多 {DISPLAY_NAME_LIMIT} 个字）。")
        if name in entries:
            raise RosterError(f"{where}：用户名 {name} 在第 {entries[name].line} 行已经出现过。")
        entries[name] = Entry(name, display, number)
    return list(entries.values())


def read_roster(path: str | Path) -> list[Entry]:
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise RosterError(f"找不到名单文件 {path}：每行写一个学员的用户名（可在后面写姓名）。") from None
    except UnicodeDecodeError:
        raise RosterError(f"名单文件 {path} 不是 UTF-8 编码：请用文本编辑器“另存为 UTF-8”后再试。") from None
    return parse_roster(text, source=f"名单 {path}")


def normalize_code(code: str) -> str:
    """What counts in a login code: full-width input (a Chinese IME) folded, case, spaces and dashes ignored."""
    return DASHES.sub("", unicodedata.normalize("NFKC", code)).lower()


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def make_hash(secret: str, iterations: int = ITERATIONS, salt: bytes | None = None) -> str:
    """``pbkdf2_sha256$ITERATIONS$SALT$HASH`` (base64): the only form in which a secret is kept."""
    salt = salt or secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), salt, iterations)
    encode = lambda raw: base64.b64encode(raw).decode("ascii")  # noqa: E731
    return f"{ALGORITHM}${iterations}${encode(salt)}${encode(digest)}"


def check_hash(secret: str, stored: str) -> bool:
    """True if ``secret`` matches ``stored`` (a :func:`make_hash` string); never raises on a bad string."""
    try:
        algorithm, iterations, salt, expected = stored.strip().split("$")
        if algorithm != ALGORITHM or not secret or not 1_000 <= int(iterations) <= 10_000_000:
            return False
        digest = hashlib.pbkdf2_hmac("sha256", secret.encode("utf-8"), base64.b64decode(salt), int(iterations))
        return hmac.compare_digest(digest, base64.b64decode(expected))
    except (ValueError, TypeError):
        return False


def read_passwords(path: str | Path) -> dict[str, tuple[str, str]]:
    """``{name: (role, hash)}`` from a passwords file; a missing file is empty, malformed lines are skipped."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    found = {}
    for line in text.splitlines():
        parts = line.split("#", 1)[0].split()
        if len(parts) == 3 and USERNAME.fullmatch(parts[0]) and parts[1] in (PARTICIPANT, TEACHER):
            found[parts[0]] = (parts[1], parts[2])
    return found


def write_passwords(path: str | Path, entries: dict[str, tuple[str, str]]) -> None:
    """Replace the passwords file atomically, readable by its owner only (the hub runs as root)."""
    lines = ["# 登录码和老师密码的加盐哈希，由 deploy/roster.py 生成，请勿手改。",
             "# Salted hashes of the login codes and the teacher's password, written by deploy/roster.py."]
    lines += [f"{name} {role} {digest}" for name, (role, digest) in sorted(entries.items())]
    write_private(path, "\n".join(lines) + "\n")


def write_private(path: str | Path, text: str) -> None:
    """Replace ``path`` atomically by a new file only its owner can read. Never written through what was there:
    a link someone planted, or a file someone else made and could read afterwards (the slips hold codes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 600, a new file
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def check_roster_against_teachers(entries: list[Entry], passwords: dict[str, tuple[str, str]]) -> None:
    for entry in entries:
        if passwords.get(entry.name, ("",))[0] == TEACHER:
            raise RosterError(f"名单第 {entry.line} 行：{entry.name} 是老师的账号，不能同时是学员。")


def issue_codes(entries: list[Entry], passwords: dict[str, tuple[str, str]],
                names: set[str] | None = None) -> dict[str, str]:
    """New codes for ``names`` (default: every roster name without one); updates ``passwords`` in place."""
    check_roster_against_teachers(entries, passwords)
    wanted = names if names is not None else {e.name for e in entries if e.name not in passwords}
    codes = {}
    for entry in entries:
        if entry.name in wanted:
            codes[entry.name] = new_code()
            passwords[entry.name] = (PARTICIPANT, make_hash(normalize_code(codes[entry.name])))
    return codes


def teacher_hash(password: str) -> str:
    if len(password) < TEACHER_MIN_LENGTH:
        raise ValueError(f"老师的密码至少要 {TEACHER_MIN_LENGTH} 个字符（现在 {len(password)} 个）")
    return make_hash(password)


SLIP_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}：登录条</title>
<style>
@page {{ size: A4; margin: 0; }}
* {{ box-sizing: border-box; }}
body {{ margin: 0; font-family: "Noto Sans SC", "Source Han Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif;
       color: #000; }}
.sheet {{ width: 210mm; height: 297mm; display: grid; grid-template-columns: 105mm 105mm;
          grid-template-rows: repeat(5, 59.4mm); page-break-after: always; break-after: page; }}
.slip {{ border: 0.3mm dashed #666; padding: 5mm 6mm; position: relative; overflow: hidden; }}
.slip::before {{ content: "✂"; position: absolute; top: -1.2mm; left: 3mm; font-size: 3.5mm; color: #666;
                 background: #fff; }}
.head {{ font-size: 3.4mm; color: #333; margin-bottom: 1.5mm; }}
.person {{ font-size: 5mm; font-weight: bold; margin-bottom: 1.5mm; }}
.url {{ font-size: 3.4mm; word-break: break-all; margin-bottom: 1.5mm; }}
dl {{ margin: 0; display: grid; grid-template-columns: auto 1fr; column-gap: 2mm; row-gap: 1mm; align-items: baseline; }}
dt {{ font-size: 3.4mm; }}
dd {{ margin: 0; font-family: "DejaVu Sans Mono", Consolas, "Courier New", monospace; font-size: 5.2mm;
      font-weight: bold; letter-spacing: 0.3mm; }}
.note {{ position: absolute; bottom: 4mm; left: 6mm; right: 6mm; font-size: 2.8mm; color: #333; line-height: 1.35; }}
</style></head><body>
{sheets}
</body></html>
"""

SLIP = """<div class="slip" data-username="{name}">
<div class="head">{title} · 登录条</div>
<div class="person">{display}</div>
{url}<dl><dt>用户名 Username</dt><dd class="username">{name}</dd><dt>密码 Password</dt><dd class="code">{code}</dd></dl>
<div class="note">登录码只属于你本人，请勿告诉别人；不分大小写，短横线可以不输。在公用电脑上用完请点菜单“文件 → 注销”。</div>
</div>"""


def slips_html(entries: list[Entry], codes: dict[str, str], url: str = "", title: str = "新质生产力课程") -> str:
    """An A4 page (2 × 5 slips a sheet, dashed cut lines) for each printed participant."""
    esc = html.escape
    slips = [SLIP.format(name=esc(e.name), display=esc(e.display or e.name), code=esc(codes[e.name]),
                         title=esc(title), url=f'<div class="url">网址：{esc(url)}</div>\n' if url else "")
             for e in entries if e.name in codes]
    sheets = ["<section class=\"sheet\">\n" + "\n".join(slips[i:i + 10]) + "\n</section>"
              for i in range(0, len(slips), 10)]
    return SLIP_PAGE.format(title=esc(title), sheets="\n".join(sheets))


def read_secret(prompt: str) -> str:
    """A password from the terminal (asked twice), or one line from standard input when it is not a terminal."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(prompt)
    if first and first != getpass.getpass("再输一次 / again: "):
        raise ValueError("两次输入不一致")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="roster.py", description="班级名单、登录码和登录条 / roster, codes, slips")
    parser.add_argument("--roster", default=ROSTER, help=f"名单文件（默认 {ROSTER}）")
    parser.add_argument("--passwords", default=PASSWORDS, help=f"只存哈希的密码文件（默认 {PASSWORDS}）")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", help="检查名单")
    for name, text in [("slips", "给名单上还没有登录码的人生成登录码和登录条"),
                       ("reissue", "给指定的人补发新的登录码（旧码立即失效）")]:
        command = commands.add_parser(name, help=text)
        if name == "reissue":
            command.add_argument("names", nargs="+")
        command.add_argument("--out", default="login-slips.html", help="登录条文件（打印后请删除）")
        command.add_argument("--url", default="", help="印在登录条上的网址，例如 https://hub.example.edu.cn")
        command.add_argument("--title", default="新质生产力课程", help="印在登录条上的标题")
    teacher = commands.add_parser("teacher", help="设置老师（管理员）的密码")
    teacher.add_argument("name")
    args = parser.parse_args(argv)
    try:
        passwords = read_passwords(args.passwords)
        if args.command == "teacher":
            problem = username_problem(args.name)
            if problem:
                raise RosterError(problem)
            if os.path.exists(args.roster) and args.name in {e.name for e in read_roster(args.roster)}:
                raise RosterError(f"{args.name} 在学员名单上，老师请用另一个用户名。")
            password = read_secret(f"{args.name} 的密码（至少 {TEACHER_MIN_LENGTH} 个字符；直接回车则自动生成）: ")
            generated = not password
            if generated:
                password = f"{new_code()}-{new_code()}"  # 20 random characters, about 99 bits
            passwords[args.name] = (TEACHER, teacher_hash(password))
            write_passwords(args.passwords, passwords)
            print(f"老师账号 {args.name} 的密码已保存（只存哈希）。" + (f"\n密码：{password}\n请记下来：它不会再显示。"
                                                                 if generated else ""))
            return 0
        entries = read_roster(args.roster)
        check_roster_against_teachers(entries, passwords)
        if args.command == "check":
            missing = [e.name for e in entries if e.name not in passwords]
            print(f"名单没有问题：{len(entries)} 人" + (f"，其中 {len(missing)} 人还没有登录码（运行 slips）"
                                                     if missing else "") + "。")
            return 0
        names = None
        if args.command == "reissue":
            names = set(args.names)
            unknown = names - {e.name for e in entries}
            if unknown:
                raise RosterError(f"不在名单上：{', '.join(sorted(unknown))}")
        codes = issue_codes(entries, passwords, names)
        if not codes:
            print("名单上的人都已经有登录码；补发请用 reissue。")
            return 0
        write_passwords(args.passwords, passwords)
        write_private(Path(args.out), slips_html(entries, codes, args.url, args.title))
        print(f"已为 {len(codes)} 人生成登录码，登录条在 {args.out}（A4 打印，沿虚线剪开；打印后请删除这个文件）。")
        return 0
    except (RosterError, ValueError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
