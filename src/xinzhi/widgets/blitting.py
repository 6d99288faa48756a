"""Redraw only what a widget's update changed (blitting), without the widget having to say what that is.

Matplotlib marks an artist *stale* when it is changed (``set_data``, ``set_height``, ``set_text`` …). After
an update, the stale artists inside the axes are the moving parts: they are made *animated*, so a full
draw leaves them out of the background, which is kept; later updates paste the background back and draw
only the animated artists on top (matplotlib's "faster rendering by using blitting"). Whenever something
else changed — axis limits or ticks, labels, titles, an artist that starts moving or was removed — the
background is drawn again. When the change stays inside some of the axes and what those axes cover overlaps
nothing else, only those axes are drawn anew onto it (:meth:`Blitter._redraw_axes`): a two-panel figure
whose right scale moved costs the right panel, not the whole figure. Otherwise (a figure-level text changed,
every axes changed) the figure is drawn in full, and the background is taken again.

What moves is known from the start: before the figure is first drawn, the widget's update is made again
with the same values, and what it touches moves (:meth:`Blitter.find_moving`), so a participant's first
change is blitted too. An artist that has stopped changing goes back into the background at the next full
draw (or redraw of its axes), so that later updates draw only what still moves.

The last few backgrounds are remembered by what they show (every axes' limits, ticks and labels, the
figure-level texts, which artists move): going back to a state drawn before — a menu switched back and
forth, a slider returned to a range it had — pastes that background instead of drawing in full.

With ipympl the browser is then sent only the changed pixels; once a browser shows the figure, a full draw
is made and sent at once, not asked of the browser (which would ask back for it). Used by
:class:`base.FigureWidget` when its figure is an ipympl canvas.
"""
from __future__ import annotations

from collections import OrderedDict

from matplotlib.axis import Axis
from matplotlib.spines import Spine
from matplotlib.text import Text
from matplotlib.transforms import Bbox

REMEMBERED = 3   # backgrounds kept per figure (each is the figure's size in pixels × 4 bytes)
SETTLED = 3      # updates without a change after which a moving artist goes back into the next full draw
MARGIN = 3       # pixels around what an axes covers: antialiased edges and glyphs reaching past their boxes


def steady_limits(ax, low: float, high: float, *, axis: str = "y", fill: float = 0.5, slack: float = 0.1) -> None:
    """Show ``low``…``high`` on the axis, keeping the present limits while they hold it and it fills at least
    ``fill`` of them; otherwise new limits with ``slack`` of room each side (none past a limit at 0).

    Limits that stay put while a slider moves let the update redraw only what changed, and give the reader
    a steady scale; they follow the data, never a number written in the code.
    """
    get, put = (ax.get_ylim, ax.set_ylim) if axis == "y" else (ax.get_xlim, ax.set_xlim)
    a, b = get()
    inverted = a > b
    a, b = sorted((a, b))
    if a <= low and high <= b and high - low >= fill * (b - a):
        return
    room = slack * ((high - low) or abs(high) or 1.0)
    limits = (low if low == 0 else low - room, high if high == 0 else high + room)
    put(*(limits[::-1] if inverted else limits))


def _axes_signature(ax) -> tuple:
    """What a background depends on: limits, scales, labels and the tick labels that go with them."""
    parts = [tuple(ax.viewLim.bounds), tuple(round(v, 6) for v in ax.get_position().bounds),
             ax.get_xscale(), ax.get_yscale(),
             ax.get_xlabel(), ax.get_ylabel(), ax.get_visible()]
    for axis in (ax.xaxis, ax.yaxis):
        locations = tuple(axis.get_majorticklocs())
        parts += [locations, tuple(axis.major.formatter.format_ticks(list(locations)))]
    return tuple(parts)


def _frame(ax) -> set:
    """The parts of an axes that belong to its frame (covered by the signature), not to what is plotted."""
    parts = {ax.xaxis, ax.yaxis, ax.patch}
    parts.update(ax.spines.values())
    return parts


def _figure_level(fig) -> list:
    extras = [getattr(fig, name, None) for name in ("_suptitle", "_supxlabel", "_supylabel")]
    return [a for a in [*fig.texts, *fig.legends, *fig.patches, *fig.lines, *fig.images, *extras] if a is not None]


def plotted_parts(artist):
    """The artist and everything in it, down to but not into its axes' ``Axis`` objects (the frame, covered by
    the signature): walking those would make every tick that their locators ask for, as ``findobj`` does."""
    yield artist
    if not isinstance(artist, Axis):
        for child in artist.get_children():
            yield from plotted_parts(child)


def _covered(ax, renderer) -> Bbox:
    """The pixels an axes' background part covers (its tight box without the moving artists), with a margin."""
    still = [a for a in ax.get_default_bbox_extra_artists() if not a.get_animated()]
    box = ax.get_tightbbox(renderer, bbox_extra_artists=still)
    return Bbox.from_extents(box.x0 - MARGIN, box.y0 - MARGIN, box.x1 + MARGIN, box.y1 + MARGIN)


def _changed(artist) -> bool:
    """Whether the artist or a part of it (legend texts) changed since it was last drawn."""
    return bool(artist.findobj(lambda a: a.stale))


def _shown_as_they_are(artists) -> None:
    """After drawing: the canvas shows these artists as they are. A part left stale only because it is hidden
    (a legend's empty title or missing frame) would otherwise look changed at every update."""
    for artist in artists:
        for part in artist.findobj(lambda a: a.stale):
            part.stale = False


def _figure_state(fig) -> tuple | None:
    """The figure-level texts as drawn (None when another figure-level artist changed: draw in full)."""
    state = []
    for artist in _figure_level(fig):
        if isinstance(artist, Text):
            state.append((id(artist), artist.get_text(), artist.get_position(), artist.get_visible(),
                          artist.get_fontsize(), artist.get_color()))
        elif artist.stale:
            return None
        else:
            state.append((id(artist), artist.get_visible()))
    return tuple(state)


class Blitter:
    def __init__(self, fig):
        self.fig = fig
        self.animated: list = []
        self.reason = ""  # why the last update was drawn in full (for tuning a widget)
        self._background = None
        self._remembered: OrderedDict = OrderedDict()   # what a background shows -> that background
        self._unchanged: dict = {}   # moving artist -> updates in a row it did not change
        self._covers: dict = {}      # axes -> the pixels its background part covered when last drawn
        fig.canvas.mpl_connect("draw_event", self._after_full_draw)

    def _shows(self):
        """What a background drawn now would show, apart from the moving artists (a dictionary key)."""
        figure = _figure_state(self.fig)
        if figure is None:
            return None
        return (tuple(_axes_signature(ax) for ax in self.fig.axes), figure,
                tuple(id(a) for a in self.animated))

    # --- full draws (asked for by the browser, or by us through draw_idle) -----------------------
    def _after_full_draw(self, event) -> None:
        self._covers = {ax: _covered(ax, event.renderer) for ax in self.fig.axes}
        self._keep_background(event.renderer)
        for artist in self._in_drawing_order():
            artist.draw(event.renderer)
        _shown_as_they_are([self.fig])

    def _keep_background(self, renderer) -> None:
        """The canvas now shows the background: keep it, and remember it by what it shows."""
        self._background = (self.fig.canvas.copy_from_bbox(self.fig.bbox), (renderer.width, renderer.height))
        key = self._shows()
        if key is not None:
            self._remembered[key] = self._background
            self._remembered.move_to_end(key)
            while len(self._remembered) > REMEMBERED:
                self._remembered.popitem(last=False)

    def _in_drawing_order(self) -> list:
        alive = [a for a in self.animated if a.axes is not None and a.axes in self.fig.axes]
        self.animated = alive
        order = {ax: i for i, ax in enumerate(self.fig.axes)}
        return sorted(alive, key=lambda a: (a.axes.get_zorder(), order[a.axes], a.get_zorder()))

    @staticmethod
    def _changed_in(ax, animated) -> list:
        """What is plotted in ``ax``, not moving yet, and changed since it was last drawn."""
        frame = _frame(ax)
        return [child for child in ax.get_children()
                if not (child in frame or isinstance(child, (Axis, Spine)) or child in animated) and _changed(child)]

    def find_moving(self) -> None:
        """Before the first draw, after an update made again with the same values: what that update touched
        moves from the start, so that a participant's first change need not be drawn in full. What does not
        really change goes back into the background later (``SETTLED``)."""
        for ax in self.fig.axes:
            for child in self._changed_in(ax, set(self.animated)):
                self._start_moving(child)

    def _start_moving(self, artist) -> None:
        artist.set_animated(True)
        self.animated.append(artist)

    def _settle(self, axes=None) -> None:
        """Before a full draw (or a redraw of these axes): the moving artists (in them) that have not changed for
        a while go back into the background."""
        settled = [a for a in self.animated
                   if self._unchanged.get(a, 0) >= SETTLED and (axes is None or a.axes in axes)]
        for artist in settled:
            artist.set_animated(False)
            self.animated.remove(artist)
            del self._unchanged[artist]
        if settled:   # a remembered background may show one of them as it was before it moved
            self._remembered.clear()

    # --- updates -----------------------------------------------------------------------------
    def snapshot(self):
        """The state before an update, or None while there is no background to blit onto."""
        if self._background is None:
            return None
        return {ax: (_axes_signature(ax), set(ax.get_children())) for ax in self.fig.axes}

    def redraw(self, before) -> str:
        """Show the update: ``"blit"`` when only animated artists were redrawn, ``"axes"`` when some axes were
        redrawn as well, ``"full"`` when the whole figure was (:attr:`reason` says why)."""
        animated = set(self.animated)
        self._unchanged = {a: 0 if _changed(a) else self._unchanged.get(a, 0) + 1 for a in self.animated}
        if before is None or set(before) != set(self.fig.axes):
            self.reason = "no background yet"
            return self._full()
        reasons = []
        rescaled, rebuilt = [], []   # axes whose background part no longer holds: a new scale, other artists
        figure_changed = any(a.stale for a in _figure_level(self.fig))
        if figure_changed:
            reasons.append("a figure-level text or legend changed")
        for number, ax in enumerate(self.fig.axes):
            signature, children_before = before[ax]
            if signature != _axes_signature(ax):
                rescaled.append(ax)
                reasons.append(f"axes {number}: limits, ticks or axis labels changed")
            children = ax.get_children()
            if any(c not in animated for c in children_before.difference(children)):
                rebuilt.append(ax)
                reasons.append(f"axes {number}: an artist of the background was removed")
            for child in self._changed_in(ax, animated):
                self._start_moving(child)
                animated.add(child)
                rebuilt.append(ax)
                reasons.append(f"axes {number}: {type(child).__name__} starts moving")
        if figure_changed or rescaled:
            engine = self.fig.get_layout_engine()
            if engine is not None:   # a figure laid out at every draw: lay it out now, to know what it shows
                engine.execute(self.fig)
            if not rebuilt:          # back to a state drawn before?
                remembered = self._remembered.get(self._shows())
                if remembered is not None:
                    self._background = remembered
                    figure_changed, rescaled = False, []
        dirty = [ax for ax in self.fig.axes if ax in rescaled or ax in rebuilt]
        if not (figure_changed or dirty) and self._blit():
            return "blit"
        self.reason = "; ".join(dict.fromkeys(reasons))
        if (not figure_changed and 0 < len(dirty) < len(self.fig.axes) and self._redraw_axes(dirty)
                and self._blit()):
            return "axes"
        return self._full()

    def _full(self) -> str:
        canvas = self.fig.canvas
        self._settle()
        self._background = None   # until the full draw has been made: nothing to blit onto
        renderer, shown = canvas.get_renderer(), getattr(canvas, "_last_buff", None)
        if (getattr(canvas, "syncing_data_url", True) or shown is None
                or shown.shape != (int(renderer.height), int(renderer.width))):
            # no browser shows the figure yet, or not at this size (it is resizing its canvas): it asks for the
            # drawing when it is ready for it
            canvas.draw_idle()
        else:
            canvas.draw()         # at once, rather than telling the browser to ask for it (a round trip)
        return "full"

    def _redraw_axes(self, axes) -> bool:
        """Draw these axes anew onto the background, in place of what they covered; False (nothing done) when
        that would not give what a full draw gives: what they cover overlaps another axes or a figure-level
        artist, or the figure is not opaque."""
        canvas, patch = self.fig.canvas, self.fig.patch
        if self._background is None or patch.get_facecolor()[3] < 1:
            return False
        renderer = canvas.get_renderer()
        background, size = self._background
        if size != (renderer.width, renderer.height):
            return False
        covers = dict(self._covers)   # as last drawn
        if set(covers) != set(self.fig.axes):
            return False
        others = [covers[ax] for ax in self.fig.axes if ax not in axes]
        others += [a.get_window_extent(renderer) for a in _figure_level(self.fig)]
        if any(covers[ax].overlaps(other) for ax in axes for other in others):
            return False
        self._settle(axes)
        canvas.restore_region(background)
        for ax in axes:    # the figure's own background over what the axes covered, then the axes
            x0, y0, x1, y1 = covers[ax].extents
            patch.set_clip_box(Bbox.from_extents(int(x0), int(y0), -int(-x1), -int(-y1)))
            patch.draw(renderer)
            patch.set_clip_box(None)
            ax.draw(renderer)
        for ax in axes:    # what they cover now (text boxes are known once drawn) must overlap nothing else
            covers[ax] = _covered(ax, renderer)
            if any(covers[ax].overlaps(other) for other in others):
                return False
        self._covers = covers
        self._keep_background(renderer)
        _shown_as_they_are([patch, *axes])
        self.fig.stale = False
        return True

    def _blit(self) -> bool:
        canvas = self.fig.canvas
        renderer = canvas.get_renderer()
        background, size = self._background
        if size != (renderer.width, renderer.height):  # the figure was resized or saved at another dpi
            return False
        canvas.restore_region(background)
        moving = self._in_drawing_order()
        for artist in moving:
            artist.draw(renderer)
        _shown_as_they_are(moving)
        canvas.blit(self.fig.bbox)
        return True
