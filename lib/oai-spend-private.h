/* oai-spend-private.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "oai-ledger-private.h"
#include "oai-spend.h"

G_BEGIN_DECLS

OaiSpend *oai_spend_new (const OaiLedgerSpend *row);

G_END_DECLS
