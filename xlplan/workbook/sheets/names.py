"""The names of the analyses' output sheets, apart from the modules that lay them out: a command checks,
before its work, that there is room for the sheets it may write, without importing the analyses."""

SIMULATION = "Simulation"
COMPARE = "Compare"
SENSITIVITY = "Sensitivity"
FRONTIER = "Frontier"
ROLLING = "Rolling"
