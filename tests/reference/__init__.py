"""An independent, deliberately slow reference implementation of REGBEF (tests only).

Written from the documentation (docs/model.md, the project spec and the PANDA handbook), not
from the engine code: see :mod:`reference.model`.
"""
