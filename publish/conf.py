"""Sphinx configuration of the handout site (MyST-NB renders the executed notebooks, sphinx-book-theme lays
them out). Built by publish/website.py into build/site/; everything the pages use is copied beside them, so the
site opens from its folder (file://) or from any static web server, with no network."""
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

project = "新质生产力：浙江实践"
author = "课程作者"
version = release = (ROOT / "VERSION").read_text(encoding="utf-8").strip()
copyright = "课程文字 CC BY 4.0，代码 MIT，字体 Noto Sans SC（SIL OFL 1.1）"
language = "zh_CN"

extensions = ["myst_nb", "mathml"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The notebooks arrive executed (publish/website.py runs them with the handout view); MyST-NB only renders them.
nb_execution_mode = "off"
nb_ipywidgets_js = {}                        # no widget scripts from a CDN: widgets are rendered as static HTML
nb_merge_streams = True
nb_code_prompt_show = "显示代码"
nb_code_prompt_hide = "隐藏代码"
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
html_math_renderer = "mathml"

html_theme = "sphinx_book_theme"
html_title = f"新质生产力：浙江实践（{version}）"
html_static_path = ["static", str(ROOT / "src" / "xinzhi" / "fonts")]
html_css_files = ["handout.css"]
html_copy_source = False
html_show_sourcelink = False
html_show_sphinx = False
html_permalinks = False
html_theme_options = {
    "home_page_in_toc": True,
    "show_toc_level": 2,
    "use_download_button": False,
    "use_fullscreen_button": False,
    "search_bar_text": "搜索课程……",
    "toc_title": "本页目录",
    "navigation_with_keys": False,
    "pygments_light_style": "default",
}
html_context = {"default_mode": "light"}

# Chinese search: jieba splits the text into words; the glossary's terms are kept whole (publish/website.py
# writes them into search_terms.txt), so “全要素生产率” is found as one word.
html_search_language = "zh"
html_show_search_summary = False   # summaries are fetched page by page, which a browser refuses on file://
html_search_options = {"dict": os.environ.get("XINZHI_SEARCH_TERMS", "")}
suppress_warnings = ["myst.xref_missing", "misc.highlighting_failure", "mystnb.unknown_mime_type"]


def setup(app):
    from sphinx.search.zh import SearchChinese

    class Chinese(SearchChinese):
        # Sphinx 9.0 names the browser's stemmer after the language ("ChineseStemmer"), which does not exist:
        # Chinese search uses the English stemmer for Latin words (sphinx-doc/sphinx#14229, fixed upstream).
        language_name = "English"

    app.add_search_language(Chinese)
