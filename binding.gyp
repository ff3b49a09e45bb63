{
  "variables": {
    "sanitize%": "<!(node -p \"process.env.NLWRAP_SANITIZE || ''\")",
    "portable%": "<!(node -p \"process.env.NLWRAP_PORTABLE || ''\")",
    # 1: also declare nlwrap_test (npm run build:test-addon), so a plain
    # node-gyp rebuild (an install from source, prebuildify) never builds it.
    "test_seams%": "<!(node -p \"process.env.NLWRAP_TEST_SEAMS || ''\")"
  },
  "target_defaults": {
    "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
    "defines": [
      "NAPI_VERSION=8",
      "NODE_ADDON_API_DISABLE_DEPRECATED",
      "NAPI_CPP_EXCEPTIONS",
      "NODE_ADDON_API_CPP_EXCEPTIONS_ALL",
      "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"
    ],
    "cflags!": ["-fno-exceptions"],
    "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
    "conditions": [
      # Prebuilds (scripts/prebuildify.sh): load on glibc >= 2.28 with any
      # libstdc++ or none (src-native/glibc_compat.*), export only Node-API's
      # entry points. scripts/check-glibc-baseline.js proves it.
      ["portable==1", {
        "cflags_cc": [
          "-include", "<(module_root_dir)/src-native/glibc_compat.h",
          "-fvisibility=hidden", "-fvisibility-inlines-hidden", "-ffunction-sections", "-fdata-sections"
        ],
        "ldflags": [
          "-static-libstdc++", "-Wl,--version-script=<(module_root_dir)/src-native/exports.map", "-Wl,--gc-sections",
          "-Wl,--push-state,--no-as-needed,-l:libpthread.so.0,--pop-state",
          "-Wl,--wrap=pthread_create", "-Wl,--wrap=pthread_join", "-Wl,--wrap=pthread_detach"
        ]
      }],
      ["sanitize=='address'", {
        "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined", "-O1", "-g"],
        "ldflags": ["-fsanitize=address,undefined"]
      }]
    ]
  },
  "targets": [
    {
      # Everything but the files the test build compiles differently, once
      # for both addons. Parsers, ops and schemas register themselves from
      # static initializers that nothing references, so the addons link the
      # whole archive (nothing would pull those objects in otherwise).
      "target_name": "nlwrap_core",
      "type": "static_library",
      "sources": [
        "src-native/channel.cc",
        "src-native/events.cc",
        "src-native/events_conntrack.cc",
        "src-native/events_xfrm.cc",
        "src-native/js_convert.cc",
        "src-native/js_args.cc",
        "src-native/args.cc",
        "src-native/request_job.cc",
        "src-native/stop_fds.cc",
        "src-native/stream.cc",
        "src-native/subscription.cc",
        "src-native/thread_pool.cc",
        "src-native/registry.cc",
        "src-native/request.cc",
        "src-native/dump.cc",
        "src-native/capture.cc",
        "src-native/pipeline.cc",
        "src-native/inet.cc",
        "src-native/link_kinds.cc",
        "src-native/link_kinds_bond.cc",
        "src-native/link_kinds_tunnels.cc",
        "src-native/errno_name.cc",
        "src-native/netns.cc",
        "src-native/record.cc",
        "src-native/socket.cc",
        "src-native/parse_link.cc",
        "src-native/parse_addr.cc",
        "src-native/parse_route.cc",
        "src-native/parse_xfrm.cc",
        "src-native/conntrack_filter.cc",
        "src-native/conntrack_bpf.cc",
        "src-native/parse_conntrack.cc",
        "src-native/conntrack_identity.cc",
        "src-native/conntrack_ops.cc"
      ],
      "conditions": [
        ["portable==1", {"sources": ["src-native/glibc_compat.cc"]}]
      ]
    },
    {
      # The addon that ships (prebuilds/) and that an install from source builds.
      "target_name": "nlwrap",
      "dependencies": ["nlwrap_core"],
      # On addon.cc alone: a change to any source then recompiles it, not all.
      "defines": ["NLWRAP_SOURCE_HASH=\"<!(node scripts/source-hash.js)\""],
      "sources": ["src-native/addon.cc", "src-native/handle.cc"],
      "ldflags": ["-Wl,--whole-archive"],
      "libraries": ["-Wl,--no-whole-archive"]
    }
  ],
  "conditions": [
    ["test_seams==1", {
      "targets": [
        {
          # The tests' addon: the same code plus the fake kernel's seams
          # (NLWRAP_TEST_SEAMS: new NativeHandle({ fakeKernelFd }), and
          # binding.testing from test/native/testing.cc). Named .so, not
          # .node, so node-gyp-build (lib/binding.ts) never picks it from
          # build/Release; test/helpers/test-binding.ts loads it.
          "target_name": "nlwrap_test",
          # (node-gyp's addon.gypi sets .node in a target condition.)
          "target_conditions": [["_type=='loadable_module'", {"product_extension": "so"}]],
          "dependencies": ["nlwrap_core"],
          "defines": ["NLWRAP_TEST_SEAMS", "NLWRAP_SOURCE_HASH=\"<!(node scripts/source-hash.js)\""],
          "include_dirs": ["src-native"],
          "sources": ["src-native/addon.cc", "src-native/handle.cc", "test/native/testing.cc"],
          "ldflags": ["-Wl,--whole-archive"],
          "libraries": ["-Wl,--no-whole-archive"]
        }
      ]
    }]
  ]
}
