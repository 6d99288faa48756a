"""The teacher's side of the class login (deploy/roster.py), the hub's throttle and client address rules, and
where deploy/jupyterhub_config.py makes the hub listen.

Fast: no hub is started here (tests/hub/test_classroom_hub.py drives the real one).
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from ..conftest import free_port

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
sys.path.insert(0, str(DEPLOY))
import roster  # noqa: E402

ROSTER = """\
# 2026 春季专题班
zhangsan   张三
lisi\t李四        # 第二天才到
a1024                # 工号
# wangwu   王五      dropped the course on 3 May
"""


def cli(tmp_path: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(DEPLOY / "roster.py"), "--roster", str(tmp_path / "roster.txt"),
                           "--passwords", str(tmp_path / "passwords"), *args], input=stdin, capture_output=True,
                          text=True, cwd=tmp_path, timeout=60)


def test_the_roster_is_read_line_by_line_with_comments_anywhere():
    entries = roster.parse_roster(ROSTER)
    assert [(e.name, e.display, e.line) for e in entries] == [
        ("zhangsan", "张三", 2), ("lisi", "李四", 3), ("a1024", "", 4)]


@pytest.mark.parametrize("text, line, says", [
    ("zhangsan\nZhangSan 张三\n", 2, "小写"),
    ("zhangsan\n张三\n", 2, "不合格"),
    ("zhangsan\n../lisi\n", 2, "不合格"),
    ("zhangsan\n" + "a" * 25 + "\n", 2, "最多 24 个字符"),
    ("zhangsan 张三\nlisi\nzhangsan 张三丰\n", 3, "第 1 行已经出现过"),
    ("zhangsan 张\u200b三\n", 1, "控制字符"),
    ("zhangsan " + "长" * 40 + "\n", 1, "太长"),
])
def test_an_invalid_line_is_named_in_chinese(text, line, says):
    with pytest.raises(roster.RosterError) as error:
        roster.parse_roster(text)
    assert f"第 {line} 行" in str(error.value) and says in str(error.value)


def test_a_roster_file_saved_in_another_encoding_is_explained(tmp_path):
    (tmp_path / "gbk.txt").write_bytes("zhangsan 张三\n".encode("gbk"))
    with pytest.raises(roster.RosterError, match="不是 UTF-8"):
        roster.read_roster(tmp_path / "gbk.txt")
    (tmp_path / "bom.txt").write_bytes("zhangsan 张三\n".encode("utf-8-sig"))  # Windows Notepad
    assert roster.read_roster(tmp_path / "bom.txt")[0].name == "zhangsan"


def test_codes_are_random_unambiguous_and_forgiving_to_type():
    codes = {roster.new_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(re.fullmatch(r"[2-9a-hj-km-np-z]{5}-[2-9a-hj-km-np-z]{5}", c) for c in codes)
    code = "k7m2p-9xq4t"
    stored = roster.make_hash(roster.normalize_code(code))
    for typed in ["k7m2p-9xq4t", "K7M2P 9XQ4T", "k7m2p9xq4t", "ｋ７ｍ２ｐ－９ｘｑ４ｔ"]:  # the last: a Chinese IME
        assert roster.check_hash(roster.normalize_code(typed), stored), typed
    assert not roster.check_hash(roster.normalize_code("k7m2p-9xq4s"), stored)
    assert not roster.check_hash("", stored) and not roster.check_hash(code, "garbage")


def test_slips_codes_and_hashes_from_the_command(tmp_path):
    (tmp_path / "roster.txt").write_text(ROSTER + "wu <b>  吴<b>某\n", encoding="utf-8")
    made = cli(tmp_path, "slips", "--url", "https://hub.example.edu.cn")
    assert made.returncode == 0, made.stderr
    page = (tmp_path / "login-slips.html").read_text(encoding="utf-8")
    codes = dict(re.findall(r'data-username="([^"]+)".*?<dd class="code">([^<]+)</dd>', page, re.S))
    assert set(codes) == {"zhangsan", "lisi", "a1024", "wu"}, "the commented line gets no slip"
    assert "@page { size: A4" in page and page.count('class="sheet"') == 1 and "吴&lt;b&gt;某" in page
    assert "https://hub.example.edu.cn" in page and "张三" in page
    stored = roster.read_passwords(tmp_path / "passwords")
    text = (tmp_path / "passwords").read_text()
    assert all(code not in text and code.replace("-", "") not in text for code in codes.values()), "hashes only"
    assert all(roster.check_hash(roster.normalize_code(codes[n]), stored[n][1]) for n in codes)
    for written in ("passwords", "login-slips.html"):
        assert (tmp_path / written).stat().st_mode & 0o077 == 0, f"{written} is readable by its owner only"
    # again: nobody new, nothing printed; a reissue replaces one code and leaves the others
    assert "都已经有登录码" in cli(tmp_path, "slips").stdout
    assert cli(tmp_path, "reissue", "lisi", "--out", "again.html").returncode == 0
    after = roster.read_passwords(tmp_path / "passwords")
    assert after["zhangsan"] == stored["zhangsan"] and after["lisi"] != stored["lisi"]
    assert "不在名单上" in cli(tmp_path, "reissue", "wangwu").stderr


def test_slips_in_a_shared_folder_are_never_written_through_what_someone_planted(tmp_path):
    """The teacher runs `slips` as root in a folder others can write (/tmp, say): a planted link must not make root
    overwrite its target, and a planted file (readable by the one who made it) must not receive the codes."""
    (tmp_path / "roster.txt").write_text(ROSTER, encoding="utf-8")
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o1777)
    shared.chmod(0o1777)
    victim = tmp_path / "victim.txt"
    victim.write_text("untouched")
    (shared / "linked.html").symlink_to(victim)
    planted = shared / "planted.html"
    planted.write_text("")
    planted.chmod(0o666)
    if os.geteuid() == 0:
        os.chown(planted, 65534, 65534)  # made by another user
    before = planted.stat().st_ino
    assert cli(tmp_path, "slips", "--out", str(shared / "linked.html")).returncode == 0
    assert victim.read_text() == "untouched" and not (shared / "linked.html").is_symlink()
    assert cli(tmp_path, "reissue", "lisi", "--out", str(planted)).returncode == 0
    after = planted.stat()
    assert after.st_ino != before and after.st_uid == os.geteuid() and after.st_mode & 0o077 == 0
    assert "lisi" in planted.read_text(encoding="utf-8")
    assert sorted(p.name for p in shared.iterdir()) == ["linked.html", "planted.html"], "no temporary file left"


def test_eleven_participants_fill_two_a4_sheets():
    entries = [roster.Entry(f"p{i}", "", i) for i in range(11)]
    page = roster.slips_html(entries, {e.name: roster.new_code() for e in entries})
    assert page.count('class="sheet"') == 2 and page.count('class="slip"') == 11


def test_the_teachers_password_is_long_and_the_teacher_is_not_a_participant(tmp_path):
    (tmp_path / "roster.txt").write_text(ROSTER, encoding="utf-8")
    short = cli(tmp_path, "teacher", "laoshi", stdin="tooshort-123\n")
    assert short.returncode == 1 and "至少要 16 个字符" in short.stderr
    assert cli(tmp_path, "teacher", "zhangsan", stdin="a-long-enough-password\n").returncode == 1
    generated = cli(tmp_path, "teacher", "laoshi", stdin="\n")
    password = re.search(r"密码：(\S+)", generated.stdout).group(1)
    assert len(password.replace("-", "")) == 20
    assert roster.check_hash(password, roster.read_passwords(tmp_path / "passwords")["laoshi"][1])
    (tmp_path / "roster.txt").write_text(ROSTER + "laoshi\n", encoding="utf-8")
    assert "是老师的账号" in cli(tmp_path, "check").stderr


auth = pytest.importorskip("classroom_auth", reason="pip install -r deploy/requirements-hub.txt")


@pytest.mark.parametrize("text, teacher, says", [
    ("zhangsan  张三\n", False, "老师账号 laoshi 还没有密码"),
    ("zhangsan\nlaoshi  # 老师\n", True, "名单第 2 行：laoshi 是老师的账号"),
    ("zhangsan\nZhangSan\n", True, "第 2 行"),
])
def test_the_hub_will_not_start_without_a_valid_roster_and_a_teachers_password(tmp_path, capsys, text, teacher, says):
    (tmp_path / "roster.txt").write_text(text, encoding="utf-8")
    if teacher:
        roster.write_passwords(tmp_path / "passwords", {"laoshi": (roster.TEACHER, roster.make_hash("x" * 16))})
    authenticator = auth.ClassroomAuthenticator(roster_file=str(tmp_path / "roster.txt"),
                                                passwords_file=str(tmp_path / "passwords"), admin_users={"laoshi"})
    with pytest.raises(SystemExit):
        authenticator.check_allow_config()
    err = capsys.readouterr().err
    assert "班级服务器没有启动：" in err and says in err, err


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_failures_per_name_wait_longer_then_lock_and_a_reissue_unlocks():
    clock = Clock()
    throttle = auth.Throttle(free=3, first_delay=5, lock_after=6, lock_seconds=900, clock=clock)
    waits = []
    for _ in range(6):
        assert throttle.refusal("zhangsan", "hash1", "10.0.0.7") == ""
        throttle.begin("zhangsan", "hash1", "10.0.0.7")
        waits.append(throttle.wait_after(throttle.failures("zhangsan", "10.0.0.7")[0]))
        clock.now += waits[-1]
    assert waits == [0, 0, 0, 5, 10, 900]
    clock.now -= 1
    assert "已暂时锁定" in throttle.refusal("zhangsan", "hash1", "10.0.0.99"), "a lock holds from any address"
    assert throttle.refusal("lisi", "hash2", "10.0.0.7") == "", "other names are not affected"
    assert throttle.refusal("zhangsan", "hash-reissued", "10.0.0.7") == "", "a new code starts afresh"


def test_a_wait_counts_from_the_answer_not_from_the_question():
    clock = Clock()
    throttle = auth.Throttle(free=0, first_delay=5, clock=clock)
    throttle.begin("zhangsan", "h", "10.0.0.7")
    clock.now += 2  # a slow check on a busy server
    throttle.failed("zhangsan")
    clock.now += 4
    assert "请 1 秒后再试" in throttle.refusal("zhangsan", "h", "10.0.0.7")


def test_parallel_guesses_are_throttled_like_sequential_ones():
    throttle = auth.Throttle(free=3, first_delay=5, clock=Clock())
    let_through = 0
    for _ in range(20):  # twenty guesses arriving before any is checked
        if not throttle.refusal("zhangsan", "h", "10.0.0.7"):
            throttle.begin("zhangsan", "h", "10.0.0.7")
            let_through += 1
    assert let_through == 4


def test_an_address_pauses_at_a_high_ceiling_and_recovers():
    clock = Clock()
    throttle = auth.Throttle(address_limit=300, address_window=900, clock=clock)
    for _ in range(299):  # a whole class behind one NAT, mistyping now and then
        throttle.begin(None, "", "10.0.0.1")
    assert throttle.refusal("p1", "h", "10.0.0.1") == ""
    throttle.begin(None, "", "10.0.0.1")
    assert "已暂停登录" in throttle.refusal("p1", "h", "10.0.0.1")
    assert throttle.refusal("p1", "h", "10.0.0.2") == ""
    clock.now += 901
    assert throttle.refusal("p61", "h", "10.0.0.1") == ""


def request(peer: str, forwarded: list[str] = (), real_ip: str = ""):
    headers = {"X-Forwarded-For": list(forwarded), "X-Real-Ip": [real_ip] if real_ip else []}
    return SimpleNamespace(connection=SimpleNamespace(context=SimpleNamespace(address=(peer, 5555))),
                           remote_ip=real_ip or peer,
                           headers=SimpleNamespace(get_list=lambda name: headers.get(name, [])))


@pytest.mark.parametrize("peer, forwarded, real_ip, expected", [
    ("203.0.113.5", [], "", "203.0.113.5"),                              # no proxy
    ("203.0.113.5", ["10.1.1.1"], "10.2.2.2", "203.0.113.5"),            # a client forging headers directly
    ("127.0.0.1", ["203.0.113.5"], "", "203.0.113.5"),                   # behind TLJH's Traefik
    ("127.0.0.1", ["10.1.1.1, 203.0.113.5"], "10.2.2.2", "203.0.113.5"),  # forged hop before the real one
    ("127.0.0.1", ["203.0.113.5", "127.0.0.1"], "", "203.0.113.5"),      # two proxies on the machine
    ("::ffff:127.0.0.1", ["::ffff:203.0.113.5"], "", "203.0.113.5"),     # IPv4 written as IPv6
    ("127.0.0.1", ["not-an-address, 203.0.113.5"], "", "203.0.113.5"),
])
def test_the_client_address_behind_trusted_proxies(peer, forwarded, real_ip, expected):
    trusted = [auth.ipaddress.ip_network(n) for n in ["127.0.0.1", "::1"]]
    assert auth.client_address(request(peer, forwarded, real_ip), trusted) == expected


def load_hub_config(preset: dict | None = None):
    """deploy/jupyterhub_config.py as JupyterHub loads it, on top of ``preset`` (what TLJH sets before it)."""
    from traitlets.config import Config
    config = Config(preset or {})
    path = DEPLOY / "jupyterhub_config.py"
    code = compile(path.read_text(encoding="utf-8"), str(path), "exec")
    exec(code, {"get_config": lambda: config, "__file__": str(path)})
    return config


def test_the_hub_listens_on_loopback_and_leaves_the_public_side_to_the_tls_proxy(monkeypatch):
    for name in ("XINZHI_BIND_URL", "XINZHI_HUB_ADMINS"):
        monkeypatch.delenv(name, raising=False)
    alone = load_hub_config()
    assert alone.JupyterHub.bind_url == "http://127.0.0.1:8000" and alone.JupyterHub.hub_ip == "127.0.0.1"
    assert alone.JupyterHub.authenticator_class is auth.ClassroomAuthenticator
    tljh = load_hub_config({"JupyterHub": {"proxy_class": "traefik_file", "hub_port": 15001},
                            "Authenticator": {"admin_users": {"laoshi"}}})
    assert "bind_url" not in tljh.JupyterHub, "on TLJH, Traefik listens where tljh-config says"
    assert tljh.JupyterHub.hub_ip == "127.0.0.1" and tljh.JupyterHub.hub_port == 15001
    assert tljh.Authenticator.admin_users == {"laoshi"}
    assert tljh.JupyterHub.load_groups == {"instructors": {"users": ["laoshi"]}}


def class_results_service(config) -> dict:
    return next(s for s in config.JupyterHub.services if s["name"] == "class-results")


@pytest.mark.parametrize("variable, value", [("XINZHI_PUBLIC_URL", "https://hub.example.edu.cn"),
                                             ("XINZHI_BIND_URL", "https://10.0.5.20:443")])
def test_behind_https_every_cookie_is_secure_and_browsers_are_told_to_stay(monkeypatch, variable, value):
    for name in ("XINZHI_BIND_URL", "XINZHI_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    plain = load_hub_config()  # a closed classroom LAN on plain HTTP: HSTS there would lock the class out later
    assert "headers" not in plain.JupyterHub.get("tornado_settings", {})
    assert "JUPYTERHUB_COOKIE_OPTIONS" not in class_results_service(plain)["environment"]
    monkeypatch.setenv(variable, value)
    behind = load_hub_config()
    settings = behind.JupyterHub.tornado_settings
    assert settings["headers"]["Strict-Transport-Security"].startswith("max-age=31536000")
    assert settings["cookie_options"]["secure"] is True  # hub, _xsrf and single-user cookies (JupyterHub copies it)
    assert class_results_service(behind)["environment"]["JUPYTERHUB_COOKIE_OPTIONS"] == '{"secure": true}'
    if variable == "XINZHI_PUBLIC_URL":  # a TLS proxy in front of the hub's proxy: the hub must not guess http
        assert behind.JupyterHub.public_url == value


def test_on_tljh_https_is_read_from_its_own_settings(monkeypatch):
    import types
    for name in ("XINZHI_BIND_URL", "XINZHI_PUBLIC_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = {"https": {"enabled": True}}
    tljh, config, configurer = (types.ModuleType(n) for n in ("tljh", "tljh.config", "tljh.configurer"))
    config.CONFIG_FILE = "/opt/tljh/config/config.yaml"
    configurer.load_config = lambda path: settings
    monkeypatch.setitem(sys.modules, "tljh", tljh)
    monkeypatch.setitem(sys.modules, "tljh.config", config)
    monkeypatch.setitem(sys.modules, "tljh.configurer", configurer)
    preset = {"JupyterHub": {"proxy_class": "traefik_file"}, "Authenticator": {"admin_users": {"laoshi"}}}
    assert "Strict-Transport-Security" in load_hub_config(preset).JupyterHub.tornado_settings["headers"]
    settings["https"]["enabled"] = False
    assert "tornado_settings" not in load_hub_config(preset).JupyterHub


def test_the_class_view_is_not_run_as_root_and_keeps_its_data_where_its_account_can_reach(monkeypatch, tmp_path):
    for name in ("XINZHI_CLASS_RESULTS_USER", "XINZHI_CLASS_RESULTS_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("os.geteuid", lambda: 0)  # TLJH: the hub runs as root
    environment = class_results_service(load_hub_config())["environment"]
    assert environment["XINZHI_CLASS_RESULTS_USER"] == "xinzhi-results"
    assert environment["XINZHI_CLASS_RESULTS_DIR"] == "/var/lib/xinzhi/class-results"
    assert environment["XINZHI_CLASS_RESULTS_FORMER_DIR"] == str(tmp_path / "class-results")


def test_the_class_commands_keep_the_teachers_token_off_the_wire_and_out_of_others_reach(tmp_path, capsys):
    import class_run
    token = tmp_path / "token"
    token.write_text("0123456789abcdef\n")
    token.chmod(0o644)
    (tmp_path / "r").write_text("zhangsan\n", encoding="utf-8")

    def run(url: str) -> str:
        assert class_run.main(["--url", url, "--token-file", str(token), "--roster", str(tmp_path / "r"),
                               "status"]) == 1
        return capsys.readouterr().err
    assert "chmod 600" in run("https://hub.example.edu.cn"), "a token file others can read is refused"
    token.chmod(0o600)
    for url in ("http://hub.example.edu.cn", "http://10.0.5.20:8000", "ftp://hub.example.edu.cn", "https://[::1",
                "https://hub.example.edu.cn:端口"):
        said = run(url)
        assert "明文" in said or "不对" in said, (url, said)
    assert "连不上" in run(f"http://127.0.0.1:{free_port()}"), "nobody listens there: the checks let it through"
