// The attributes print back as they were written.
// RUN: ssdc-opt %s | ssdc-opt | FileCheck %s

// CHECK: func.func private @schedules() attributes
// CHECK-SAME: a = #ssd.schedule<recurrent>
// CHECK-SAME: b = #ssd.schedule<quadratic, "user">
// CHECK-SAME: c = #ssd.schedule<chunked, 256>
// CHECK-SAME: d = #ssd.schedule<chunked, 64, "tuning-db">
// CHECK-SAME: m = #ssd.mask<causal>
// CHECK-SAME: p = #ssd.state_pass<log_depth>
func.func private @schedules() attributes {
  a = #ssd.schedule<recurrent>, b = #ssd.schedule<quadratic, "user">,
  c = #ssd.schedule<chunked, 256>, d = #ssd.schedule<chunked, 64, "tuning-db">,
  m = #ssd.mask<causal>, p = #ssd.state_pass<log_depth>}
