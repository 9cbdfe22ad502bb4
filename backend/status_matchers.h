// Test-only: GoogleTest assertions and gmock matchers for Status and StatusOr<T>, so a failure prints the
// errno name and message instead of "Value of: x.ok(), Actual: false".
//
//   ASSERT_OK(process.CheckIdentity());
//   ASSERT_OK_AND_ASSIGN(std::vector<MapsEntry> maps, process.Maps());   // maps is the value from here on
//   EXPECT_THAT(process.Info(), StatusIs(ESRCH));
//   EXPECT_THAT(ScopedChild::Fork(body), StatusIs(EAGAIN, HasSubstr("fork")));
//   EXPECT_THAT(process.IsKernelThread(), IsOkAndHolds(false));
//   EXPECT_THAT(ParseStat(text), Not(IsOk()));
//
// Every macro and matcher takes a Status or a StatusOr<T>.
#ifndef PROCSCOPE_BACKEND_STATUS_MATCHERS_H_
#define PROCSCOPE_BACKEND_STATUS_MATCHERS_H_

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <utility>

#include "backend/status.h"

namespace procscope {

// How gtest prints a Status or a StatusOr in failure messages: "OK" / "EFAULT: message".
inline void PrintTo(const Status& status, std::ostream* os) { *os << status.ToString(); }
template <typename T>
void PrintTo(const StatusOr<T>& status_or, std::ostream* os) {
  if (status_or.ok()) {
    *os << "OK with value " << ::testing::PrintToString(*status_or);
  } else {
    *os << status_or.status().ToString();
  }
}

namespace status_internal {

inline Status GetStatus(const Status& status) { return status; }
template <typename T>
Status GetStatus(const StatusOr<T>& status_or) {
  return status_or.status();
}

}  // namespace status_internal

MATCHER(IsOk, negation ? "is an error" : "is OK") {
  const Status status = status_internal::GetStatus(arg);
  if (!status.ok()) *result_listener << "which is " << status.ToString();
  return status.ok();
}

// An error whose errno is `error_number` (e.g. StatusIs(EFAULT)).
MATCHER_P(StatusIs, error_number,
          std::string(negation ? "is not an error " : "is an error ") + ErrnoName(error_number)) {
  const Status status = status_internal::GetStatus(arg);
  *result_listener << "which is " << status.ToString();
  return !status.ok() && status.error_number() == error_number;
}

// An error whose errno is `error_number` and whose message matches `message_matcher` (a gmock matcher or
// a string), e.g. StatusIs(EAGAIN, HasSubstr("fork")).
MATCHER_P2(StatusIs, error_number, message_matcher,
           std::string(negation ? "is not an error " : "is an error ") + ErrnoName(error_number) +
               " whose message " + ::testing::DescribeMatcher<std::string>(message_matcher, negation)) {
  const Status status = status_internal::GetStatus(arg);
  *result_listener << "which is " << status.ToString();
  return !status.ok() && status.error_number() == error_number &&
         ::testing::Matches(::testing::SafeMatcherCast<const std::string&>(message_matcher))(
             status.message());
}

// A StatusOr<T> that holds a value matching `matcher`, e.g. IsOkAndHolds(false) or IsOkAndHolds(SizeIs(3)).
MATCHER_P(IsOkAndHolds, matcher,
          negation ? "is an error or holds a value that does not match"
                   : "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "which is " << arg.status().ToString();
    return false;
  }
  return ::testing::ExplainMatchResult(matcher, *arg, result_listener);
}

}  // namespace procscope

#define EXPECT_OK(expression) EXPECT_THAT(expression, ::procscope::IsOk())
#define ASSERT_OK(expression) ASSERT_THAT(expression, ::procscope::IsOk())

// Evaluates `expression` (a StatusOr<T>) once; on error fails the test like ASSERT_OK, else moves the value
// into `lhs` (a declaration such as `auto maps` or an existing variable).
#define ASSERT_OK_AND_ASSIGN(lhs, expression) \
  PROCSCOPE_ASSERT_OK_AND_ASSIGN_IMPL(PROCSCOPE_STATUS_CONCAT(status_or_, __LINE__), lhs, expression)
#define PROCSCOPE_ASSERT_OK_AND_ASSIGN_IMPL(holder, lhs, expression) \
  auto holder = (expression);                                        \
  ASSERT_TRUE(holder.ok()) << holder.status().ToString();            \
  lhs = *std::move(holder)
#define PROCSCOPE_STATUS_CONCAT(a, b) PROCSCOPE_STATUS_CONCAT_INNER(a, b)
#define PROCSCOPE_STATUS_CONCAT_INNER(a, b) a##b

#endif  // PROCSCOPE_BACKEND_STATUS_MATCHERS_H_
