// VIGIL_CHECK / VIGIL_DCHECK: assertions for bugs, never for user input (STYLE §3).
#pragma once

namespace vigil::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* condition,
                              const char* message);
}  // namespace vigil::internal

// Always on: aborts with file:line, the condition and a message.
#define VIGIL_CHECK(cond, msg)                                                        \
  do {                                                                                \
    if (!(cond)) [[unlikely]] {                                                       \
      ::vigil::internal::CheckFailed(__builtin_FILE(), __builtin_LINE(), #cond, msg); \
    }                                                                                 \
  } while (false)

#ifdef NDEBUG
#define VIGIL_DCHECK(cond) \
  do {                     \
  } while (false && (cond))
#else
#define VIGIL_DCHECK(cond) VIGIL_CHECK(cond, "debug check")
#endif
