// The attribute syntax and verifier rules: #ssd.schedule, #ssd.mask,
// #ssd.state_pass.
// RUN: ssdc-opt %s -split-input-file -verify-diagnostics

// expected-error @+1 {{chunked schedule needs a positive chunk size, got 0}}
func.func private @chunked_without_size() attributes {s = #ssd.schedule<chunked>}

// -----

// expected-error @+1 {{chunked schedule needs a positive chunk size, got -8}}
func.func private @chunked_negative() attributes {s = #ssd.schedule<chunked, -8>}

// -----

// expected-error @+1 {{recurrent schedule takes no chunk size, got 64}}
func.func private @recurrent_with_size() attributes {s = #ssd.schedule<recurrent, 64>}

// -----

// expected-error @+1 {{unknown schedule 'scan', expected recurrent, quadratic or chunked}}
func.func private @unknown_schedule() attributes {s = #ssd.schedule<scan>}

// -----

// expected-error @+2 {{expected ::ssdc::ssd::MaskKind to be one of: decay, causal}}
// expected-error @+1 {{failed to parse SSD_MaskAttr parameter 'value'}}
func.func private @unknown_mask() attributes {m = #ssd.mask<softmax>}

// -----

// expected-error @+2 {{expected ::ssdc::ssd::StatePassKind to be one of: sequential, log_depth}}
// expected-error @+1 {{failed to parse SSD_StatePassAttr parameter 'value'}}
func.func private @unknown_strategy() attributes {m = #ssd.state_pass<parallel>}
