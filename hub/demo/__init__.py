"""``hub demo``: a whole federation's year on one machine, through the hub's real front doors."""
