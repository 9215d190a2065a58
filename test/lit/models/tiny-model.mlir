// A hand-written model IR parses, verifies and keeps its structure: a
// prefill and a decode entry, the SSD core with dt processing and D-skip, and
// the grouped gated norm over d_inner / ngroups = 128 channels.
// RUN: ssdc-opt %S/Inputs/tiny-model.mlir | FileCheck %s

// CHECK-LABEL: func.func @prefill(%{{.*}}: tensor<?x?xi64>)
// CHECK: ssd.embedding
// CHECK: call @layer0
// CHECK: call @head
// CHECK-LABEL: func.func @decode(%{{.*}}: tensor<?x1xi64>, %{{.*}}: tensor<?x160x4xf32>, %{{.*}}: tensor<?x4x32x16xf32>)
// CHECK: ssd.conv1d {{.*}} state
// CHECK: ssd.ssm {{.*}} D({{.*}}) dt_bias({{.*}}) init({{.*}}) {dt_limit = {{.*}}, dt_softplus}
// CHECK-LABEL: func.func private @layer0
// CHECK: ssd.ssm
// CHECK: ssd.rmsnorm {{.*}} gate {{.*}} {group_size = 128 : i64}
