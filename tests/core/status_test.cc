#include "vigil/core/status.h"

#include <memory>
#include <string>

#include "test_util.h"

namespace vigil {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) {
    return InvalidArgumentError("value " + std::to_string(v) + " is not positive");
  }
  return v;
}

Result<int> Doubled(int v) {
  VIGIL_ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return 2 * x;
}

Status CheckBoth(int a, int b) {
  VIGIL_RETURN_IF_ERROR(ParsePositive(a).status());
  VIGIL_RETURN_IF_ERROR(ParsePositive(b).status());
  return OkStatus();
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, CarriesCodeAndMessage) {
  Status s = NotFoundError("file x.log");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "not found: file x.log");
  EXPECT_EQ(s.WithPrefix("a.log:3").message(), "a.log:3: file x.log");
  EXPECT_TRUE(OkStatus().WithPrefix("p").ok());
}

TEST(ResultTest, ValueAndError) {
  Result<int> good = ParsePositive(3);
  ASSERT_OK(good);
  EXPECT_EQ(*good, 3);
  Result<int> bad = ParsePositive(-1);
  EXPECT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message(), "value -1 is not positive");
}

TEST(ResultTest, MacrosPropagate) {
  EXPECT_EQ(*Doubled(4), 8);
  EXPECT_EQ(Doubled(0).status().message(), "value 0 is not positive");
  EXPECT_OK(CheckBoth(1, 2));
  EXPECT_EQ(CheckBoth(1, -2).message(), "value -2 is not positive");
}

TEST(ResultTest, HoldsMoveOnlyValues) {
  Result<std::unique_ptr<int>> r = std::make_unique<int>(7);
  ASSERT_OK(r);
  std::unique_ptr<int> p = std::move(r).value();
  EXPECT_EQ(*p, 7);
}

TEST(CheckDeathTest, CheckAbortsWithMessage) {
  EXPECT_DEATH(VIGIL_CHECK(1 + 1 == 3, "arithmetic"), "arithmetic");
}

}  // namespace
}  // namespace vigil
