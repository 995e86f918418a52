"""Target engagement: compound × (concentration | plasma level | dose) → occupancy of every target.

For each target (one row per state or condition for channels) with a value for the compound,
the fractional occupancy at the unbound concentration at the target. Where parent and metabolite
are both present (a dose of amitriptyline gives nortriptyline too) they compete for the site
(Gaddum 1937):

.. math::

    \\theta_i = \\frac{C_i/K_i}{1 + \\sum_j C_j/K_j}, \\qquad \\theta = \\sum_i \\theta_i ,

which for one ligand is Hill–Langmuir with n = 1, :math:`C/(C + K)`. K is the Ki/KD; for
channels the functional IC50 stands in for the affinity (block of a single site with Hill
slope 1), and the ``note`` column says so. A range (M1–M5 11–24 nM, H1 0.5–1.1 nM) gives
``occupancy_low`` (at the high K) and ``occupancy_high`` (at the low K); ``occupancy`` uses
the geometric mean. The knowledge base's default row is used unless ``source=`` selects
another (e.g. ``"tatsumi1997"``: SERT 4.3 nM instead of the document's 3.45 nM); the
``reference`` column says which row was used and ``series`` which reference each compound's
value came from.

Parent and metabolite together (FACTS.md: "choose one series when comparing parent and
metabolite"): with ``series="common"`` (the default) a target where one reference holds values
for every ligand present uses that reference for all of them (Tatsumi 1997 at SERT/NET/DAT,
as :mod:`neuromoa.systems` does), and the note says the parent's single-compound default was
set aside; where no reference holds both (or a value is the user's own, from ``user_files``),
each compound keeps its default and the row is flagged ``mixed_series`` with a note. ``series="default"`` keeps every compound's default
(flagged where mixed). A binding constant (Ki/KD) is never combined with a functional IC50 at
one site: the second ligand is left out there, with a note (nortriptyline's binding KD at the
unspecified "muscarinic" row against amitriptyline's functional IC50).

Concentrations: ``conc`` is the unbound concentration at the target; ``plasma`` a total plasma
level, converted with the unbound fraction and Kp,uu (:math:`C_{u,brain} = K_{p,uu} f_u C`,
Smith, Di & Kerns 2010); ``dose`` + ``every`` the steady-state average unbound brain
concentrations of parent *and* metabolite from :mod:`neuromoa.exposure`.

Safety margins (:func:`safety_margins`): IC50 / unbound Cmax for hERG and the cardiac Na+
channel (Nav1.5/hH1, inactivated and resting), with the combined parent + metabolite block,
each flagged against its own level: hERG against the 30-fold threshold (Redfern et al. 2003,
Cardiovasc Res 58:32), Nav1.5 against the ~15-fold level at which QRS prolongation appears on
average (Harmer et al. 2011, Br J Pharmacol 164:260); both levels are knowledge-base constants
(``herg_margin_threshold``, ``qrs_nav15_ratio``) with their sources.

Layout: :mod:`~neuromoa.engagement.affinities` (which value each ligand gets at a site),
:mod:`~neuromoa.engagement.result` (:class:`EngagementResult`), :mod:`~neuromoa.engagement.core`
(:func:`engage`), :mod:`~neuromoa.engagement.course` (curves and time courses),
:mod:`~neuromoa.engagement.safety` (cardiac margins), :mod:`~neuromoa.engagement.calibration`
(in-vivo calibration to human PET: ``occupancy`` is calibrated where a target has PET data,
``occupancy_in_vitro`` is free-drug theory), :mod:`~neuromoa.engagement.compartments` (brain,
peripheral, heart, plasma; Kp,uu on brain targets only), :mod:`~neuromoa.engagement.tissue`
(Rodgers & Rowland total brain-to-plasma ratio), :mod:`~neuromoa.engagement.audit` (the
affinity audit), :mod:`~neuromoa.engagement.sensitivity` (Sobol indices, Monte Carlo intervals),
:mod:`~neuromoa.engagement.reference_range` (the clinical reference range as unbound
concentrations), :mod:`~neuromoa.engagement.compare` (several compounds side by side).
"""

from neuromoa.engagement.affinities import SERIES_MODES
from neuromoa.engagement.compare import COMPARE_COLUMNS as COMPARE_COLUMNS
from neuromoa.engagement.compare import compare_engagement
from neuromoa.engagement.core import engage
from neuromoa.engagement.course import INTERVAL_POINTS as INTERVAL_POINTS
from neuromoa.engagement.course import engagement_curves, engagement_time_course
from neuromoa.engagement.result import TARGET_COLUMNS as TARGET_COLUMNS
from neuromoa.engagement.result import EngagementResult
from neuromoa.engagement.safety import SAFETY_LEVELS as SAFETY_LEVELS
from neuromoa.engagement.safety import SAFETY_TARGETS as SAFETY_TARGETS
from neuromoa.engagement.safety import safety_margins

__all__ = [
    "SERIES_MODES",
    "EngagementResult",
    "compare_engagement",
    "engage",
    "engagement_curves",
    "engagement_time_course",
    "safety_margins",
]
