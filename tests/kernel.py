"""Run code in a real Jupyter kernel and collect what a participant would see."""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from jupyter_client.manager import start_new_kernel

# Every test kernel turns a missing Chinese glyph into an error and lets widget failures surface.
PRELUDE = """
import warnings
warnings.filterwarnings("error", message=r"Glyph .* missing from font")
"""


@dataclass
class Result:
    source: str
    outputs: list = field(default_factory=list)

    @property
    def error(self) -> str:
        for out in self.outputs:
            if out["msg_type"] == "error":
                return f"{out['content']['ename']}: {out['content']['evalue']}"
            if out["msg_type"] == "stream" and out["content"]["name"] == "stderr":
                text = "\n".join(line for line in out["content"]["text"].splitlines()
                                  if "Kernel is running over TCP without encryption" not in line)
                if "Traceback" in text or "Error" in text or "Warning" in text:
                    return f"stderr: {text[:800]}"
            data = out["content"].get("data", {})
            html = data.get("text/html", "")
            if "xinzhi-message" in html:
                return f"course error shown: {html[:300]}"
        return ""

    @property
    def raw_tables(self) -> int:
        """Outputs that are pandas' own HTML table (index shown, no units): the course shows xinzhi.tables."""
        return sum('class="dataframe"' in out["content"].get("data", {}).get("text/html", "") for out in self.outputs)


OFFLINE = Path(__file__).resolve().parent / "offline"


@contextmanager
def kernel(cwd: Path, workspace: Path, extra_env: dict | None = None, network_log: Path | None = None):
    """A kernel as a participant's, except: no network beyond loopback, and errors surface loudly."""
    env = dict(os.environ)
    env.update({"XINZHI_WORKSPACE": str(workspace), "XINZHI_STRICT": "1", "XINZHI_FIGURES": "image",
                "PYTHONWARNINGS": "ignore::DeprecationWarning",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(OFFLINE), env.get("PYTHONPATH", "")])),
                "XINZHI_NETWORK_LOG": str(network_log or workspace.parent / "network.log")})
    env.pop("MPLBACKEND", None)
    env.update(extra_env or {})
    manager, client = start_new_kernel(kernel_name="python3", cwd=str(cwd), env=env)
    try:
        run(client, PRELUDE)
        yield client
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client, source: str, timeout: float = 180) -> Result:
    result = Result(source)

    def keep(msg):
        if msg["msg_type"] in {"stream", "display_data", "execute_result", "error"}:
            result.outputs.append({"msg_type": msg["msg_type"], "content": msg["content"]})

    client.execute_interactive(source, output_hook=keep, timeout=timeout, allow_stdin=False)
    return result


def code_cells(path: Path) -> list[str]:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in notebook["cells"] if c["cell_type"] == "code"]
