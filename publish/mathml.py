"""Formulas as MathML, written into the page when it is built: no MathJax, no script, nothing fetched.

Every current browser (Chrome and Edge 109+, Firefox, Safari) draws MathML itself; docutils, which
Sphinx already depends on, turns the notebooks' LaTeX into it.
"""
from docutils import nodes
from docutils.utils.math import latex2mathml


def _inline(self, node):
    self.body.append(latex2mathml.tex2mathml(node.astext()))
    raise nodes.SkipNode


def _block(self, node):
    self.body.append(f"<div class='math-block'>{latex2mathml.tex2mathml(node.astext(), as_block=True)}</div>")
    raise nodes.SkipNode


def setup(app):
    app.add_html_math_renderer("mathml", (_inline, None), (_block, None))
    return {"parallel_read_safe": True, "parallel_write_safe": True}
