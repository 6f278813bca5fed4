// GoogleTest helpers for cvpipe::Status: ASSERT_OK / EXPECT_OK print the status message on
// failure; EXPECT_STATUS(st, code) checks the code. Header-only.
#pragma once
#include <gtest/gtest.h>

#include "cvpipe/status.hpp"

namespace cvpipe::test {

inline const char* code_name(StatusCode c) {
  switch (c) {
    case StatusCode::ok: return "ok";
    case StatusCode::invalid_argument: return "invalid_argument";
    case StatusCode::not_found: return "not_found";
    case StatusCode::io_error: return "io_error";
    case StatusCode::runtime_error: return "runtime_error";
    case StatusCode::unsupported: return "unsupported";
    case StatusCode::end_of_stream: return "end_of_stream";
    case StatusCode::cancelled: return "cancelled";
  }
  return "?";
}

inline ::testing::AssertionResult is_ok(const Status& st) {
  if (st.ok()) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << code_name(st.code()) << ": " << st.message();
}

inline ::testing::AssertionResult has_code(const Status& st, StatusCode code) {
  if (st.code() == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected " << code_name(code) << ", got " << code_name(st.code()) << ": "
                                       << st.message();
}

}  // namespace cvpipe::test

#define ASSERT_OK(expr) ASSERT_TRUE(::cvpipe::test::is_ok(expr))
#define EXPECT_OK(expr) EXPECT_TRUE(::cvpipe::test::is_ok(expr))
#define EXPECT_STATUS(expr, code) EXPECT_TRUE(::cvpipe::test::has_code((expr), ::cvpipe::StatusCode::code))
#define ASSERT_STATUS(expr, code) ASSERT_TRUE(::cvpipe::test::has_code((expr), ::cvpipe::StatusCode::code))
