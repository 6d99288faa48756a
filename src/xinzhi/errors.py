"""Errors the course shows to participants as a short Chinese message, never as a traceback."""


class CourseError(Exception):
    """An error whose message is already written for the participant (in Chinese).

    Inside a notebook, :func:`xinzhi.setup` makes IPython print only this message
    (no traceback) when a ``CourseError`` escapes a cell.
    """


class DataError(CourseError):
    """A data file is missing, damaged or not what the course expects."""


class InputError(CourseError):
    """A value typed by the participant cannot be used; ``control``, when set, names the control it came
    from (a widget shows the message under that control)."""

    control: str | None = None


def show_course_errors_plainly(shell=None) -> bool:
    """Make IPython print a ``CourseError`` as its message alone. Returns True when installed."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:  # pragma: no cover - IPython always comes with the course
            return False
        shell = get_ipython()
    if shell is None:
        return False

    def _handler(shell, etype, value, tb, tb_offset=None):
        from IPython.display import HTML, display

        from .formats import message_html

        display(HTML(message_html(str(value), "warn", css_class="xinzhi-message")))
        return None

    shell.set_custom_exc((CourseError,), _handler)
    return True
