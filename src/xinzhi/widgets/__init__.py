"""The course's widgets: one module per notebook, every widget a :class:`base.FigureWidget`."""
