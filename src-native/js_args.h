// Operation arguments across the boundary (args.h): a JS object decoded into
// an op's argument struct, and the declarations exported for
// scripts/gen-decoders.ts.
#pragma once

#include <napi.h>

#include <string>

#include "args.h"

namespace nlw {

// Fills `out` from `obj`'s own enumerable string keys. Throws a TypeError
// naming `what` (the op) for a key the spec does not declare, a required key
// missing (or undefined), or a value of the wrong type or out of range.
void args_from_js(const Napi::Object& obj, ArgsValue* out, const std::string& what);

// [{ name, type, optional }] for the generator.
Napi::Array arg_fields_to_js(Napi::Env env, const ArgsSpec& spec);

}  // namespace nlw
