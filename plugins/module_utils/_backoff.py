# -*- coding: utf-8 -*-
# Copyright: (c) 2026, aep.flow_service contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

# This module_utils file is private to the collection: its interface may change without notice.

"""The one backoff formula: HTTP retries, 412 conflicts and in-progress waits all wait through it."""

from __future__ import annotations

import random


def backoff(attempt, base, cap, least=0.0):
    """Seconds to wait before try ``attempt`` (0-based): ``base`` doubled per attempt, at most ``cap``, jittered.

    The jitter spreads parallel writers apart; ``least`` (a fraction of the nominal wait) keeps a wait that must
    give the server time, such as an operation in progress, from shrinking to nothing.
    """
    nominal = min(cap, base * (2 ** attempt))
    return random.uniform(nominal * least, nominal)
