"""A believable order-intake service that serves the log API over HTTP."""

from orderdesk.sim.faults import Faults
from orderdesk.sim.server import SimulatorServer, parse_rate, run_simulator
from orderdesk.sim.traffic import Simulation

__all__ = [
    "Faults",
    "Simulation",
    "SimulatorServer",
    "parse_rate",
    "run_simulator",
]
