// The evaluator's JSON text API in one include: the payment context in
// (context_json.h), the result out (result_json.h) and batches (batch.h).
// None of them needs nlohmann/json: an embedded client includes only these.
#pragma once

#include "evaluator/batch.h"
#include "evaluator/context_json.h"
#include "evaluator/result_json.h"
