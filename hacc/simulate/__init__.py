"""`hacc simulate`: what happens when a node, a link or a health check
fails, for keepalived and Pacemaker together.

scenario (what fails) -> topology (who still talks to whom) -> vrrp
(keepalived's election), quorum (votequorum), fencing (which partition
survives), pacemaker (crm_simulate places the resources), frontends
(HAProxy binds) -> findings (HA7xx) -> render (table or JSON). `engine.run`
chains them.
"""

from __future__ import annotations

from hacc.simulate.engine import Report, ScenarioResult, run
from hacc.simulate.scenario import Scenario, ScenarioError, all_single, parse_scenario

__all__ = ["Report", "Scenario", "ScenarioError", "ScenarioResult", "all_single", "parse_scenario", "run"]
