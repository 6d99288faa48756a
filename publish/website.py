"""Build the handout site: the executed course as static pages in build/site/ (and its A4 PDF, publish/pdf.py).

    python3 course.py site                 # notebooks 00–08, glossary, troubleshooting, and the PDF
    python3 course.py site --instructor    # the instructor guide too
    python3 course.py site --no-pdf        # the pages only

1. Every notebook runs in a fresh kernel with XINZHI_HANDOUT set (src/xinzhi/handout.py): charts become
   images with alt text and a source line, widgets show their starting state, self-checks fold their answers.
   A notebook that shows an error stops the build. Executed notebooks are kept in build/site-src/ and run
   again only when the notebook, the course package, the data or the question banks changed.
2. Sphinx with MyST-NB and sphinx-book-theme (publish/conf.py) turns them into pages; search runs in the
   browser on an index built with jieba, with the glossary's terms kept whole.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUILD = ROOT / "build"      # build/site-src/ (the executed notebooks), build/site/, build/print/
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
REFERENCE = ["notebooks/glossary.md", "docs/troubleshooting.md"]
INSTRUCTOR = "docs/instructor_guide.md"
PDF_NAME = "xinzhi-handout.pdf"
# What a notebook's outputs depend on besides the notebook itself.
INPUTS = ["src/xinzhi", "data", "quizzes", "VERSION"]


def say(message: str) -> None:
    print(f"[讲义] {message}", flush=True)


def inputs_digest(notebook: Path) -> str:
    digest = hashlib.sha256(notebook.read_bytes())
    for name in INPUTS:
        path = ROOT / name
        files = sorted(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts) if path.is_dir() else [path]
        for f in files:
            digest.update(str(f.relative_to(ROOT)).encode() + f.read_bytes())
    return digest.hexdigest()


def problems(nb) -> list[str]:
    """What in an executed notebook a reader must not see: errors, tracebacks, the course's error box."""
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            text = out.get("text", "") if out.get("output_type") == "stream" else ""
            html = out.get("data", {}).get("text/html", "")
            if out.get("output_type") == "error" or "Traceback" in text or "xinzhi-message" in html:
                found.append(f"cell {index}: {(out.get('ename') or text or html)[:200]}")
            if out.get("data", {}).get("application/vnd.jupyter.widget-view+json"):
                found.append(f"cell {index}: a live widget with no static view")
    return found


def execute(notebook: Path, target: Path, workspace: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    env = dict(os.environ, XINZHI_HANDOUT=notebook.name, XINZHI_FIGURES="image", XINZHI_WORKSPACE=str(workspace),
               PYTHONWARNINGS="ignore::DeprecationWarning")
    env.pop("MPLBACKEND", None)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    client.execute(env=env)
    found = problems(nb)
    if found:
        raise SystemExit(f"{notebook.name} 运行时出现问题，讲义没有生成：\n  " + "\n  ".join(found))
    for cell in nb.cells:   # the handout shows what each cell gives; the code stays one click away
        if cell.cell_type == "code":
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
    nbformat.write(nb, target)


def execute_all(notebooks: list[Path], source: Path) -> None:
    (source / "notebooks").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for notebook in notebooks:
            target = source / "notebooks" / notebook.name
            key = target.with_suffix(".key")
            digest = inputs_digest(notebook)
            if target.exists() and key.exists() and key.read_text() == digest:
                continue
            started = time.perf_counter()
            execute(notebook, target, Path(tmp) / notebook.stem)
            key.write_text(digest)
            say(f"运行 {notebook.name}：{time.perf_counter() - started:.1f} 秒")
    for stale in (source / "notebooks").glob("*.ipynb"):
        if stale.name not in {n.name for n in notebooks}:
            stale.unlink()


def search_terms() -> str:
    """The glossary's bold terms, one a line, for jieba: each is kept whole in the search index."""
    text = (ROOT / "notebooks" / "glossary.md").read_text(encoding="utf-8")
    terms = set()
    for term in re.findall(r"\*\*([^*]+)\*\*", text):
        terms.update(t.strip() for t in re.split(r"[／/、（）()]", term) if len(t.strip()) > 1 and " " not in t.strip())
    return "".join(f"{t} 20000 n\n" for t in sorted(terms))


def write_sources(notebooks: list[Path], source: Path, instructor: bool, with_pdf: bool) -> None:
    reference = REFERENCE + ([INSTRUCTOR] if instructor else [])
    for name in ["notebooks/glossary.md", "docs/troubleshooting.md", INSTRUCTOR]:
        target = source / name
        if name in reference:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, target)
        elif target.exists():
            target.unlink()
    pdf_line = (f"[{PDF_NAME}]({PDF_NAME})（A4，可打印；自测题的答案印在题目下面）" if with_pdf
                else "这次构建没有生成 PDF（运行 `python3 course.py site` 即可生成）。")
    index = (HERE / "index.md").read_text(encoding="utf-8")
    index = (index.replace("{{ notebooks }}", "\n".join(f"notebooks/{n.stem}" for n in notebooks))
             .replace("{{ reference }}", "\n".join(Path(r).with_suffix("").as_posix() for r in reference))
             .replace("{{ pdf_line }}", pdf_line))
    (source / "index.md").write_text(index, encoding="utf-8")
    (source / "search_terms.txt").write_text(search_terms(), encoding="utf-8")


def sphinx(builder: str, source: Path, outdir: Path) -> None:
    env = dict(os.environ, XINZHI_SEARCH_TERMS=str(source / "search_terms.txt"))
    cmd = [sys.executable, "-m", "sphinx", "-b", builder, "-q", "-c", str(HERE), str(source), str(outdir),
           "-d", str(source.parent / f"doctrees-{builder}")]
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    warnings = [line for line in result.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    for line in warnings:
        print("  " + line.replace(str(source) + os.sep, ""), flush=True)
    if result.returncode != 0:
        raise SystemExit(f"Sphinx 没有完成（{builder}）：\n{result.stderr[-3000:]}")


def build(out: Path = BUILD, instructor: bool = False, with_pdf: bool = True) -> Path:
    """Write ``out``/site/ (and its PDF); returns the site's folder."""
    started = time.perf_counter()
    source, site = out / "site-src", out / "site"
    execute_all(NOTEBOOKS, source)
    write_sources(NOTEBOOKS, source, instructor, with_pdf)
    if site.exists():
        shutil.rmtree(site)
    sphinx("html", source, site)
    (site / ".buildinfo").unlink(missing_ok=True)
    say(f"网页版：{site / 'index.html'}（{time.perf_counter() - started:.0f} 秒）")
    if with_pdf:
        from pdf import build_pdf

        build_pdf(source, out / "print", site / PDF_NAME)
    return site


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="课程的网页版讲义和 A4 打印版")
    parser.add_argument("--instructor", action="store_true", help="也收入教师手册（只给讲师的版本）")
    parser.add_argument("--no-pdf", action="store_true", help="只生成网页，不生成 PDF")
    parser.add_argument("--out", type=Path, default=BUILD, help="输出文件夹（默认 build/）")
    args = parser.parse_args(argv)
    build(args.out.resolve(), instructor=args.instructor, with_pdf=not args.no_pdf)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main())
