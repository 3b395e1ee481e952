/* The error domain every evenlight function reports in (evenlight.h).
 *
 * Copyright (C) 2026 the evenlight developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "evenlight.h"

GQuark
evenlight_error_quark (void)
{
  return g_quark_from_static_string ("evenlight-error-quark");
}
