{
  "variables": {
    "sanitize%": "<!(node -p \"process.env.NLWRAP_SANITIZE || ''\")",
    "portable%": "<!(node -p \"process.env.NLWRAP_PORTABLE || ''\")"
  },
  "targets": [
    {
      "target_name": "nlwrap",
      "sources": [
        "src-native/addon.cc",
        "src-native/channel.cc",
        "src-native/events.cc",
        "src-native/events_conntrack.cc",
        "src-native/events_xfrm.cc",
        "src-native/js_convert.cc",
        "src-native/request_job.cc",
        "src-native/stream.cc",
        "src-native/subscription.cc",
        "src-native/thread_pool.cc",
        "src-native/family.cc",
        "src-native/pipeline.cc",
        "src-native/handle.cc",
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
        "src-native/testing.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NAPI_CPP_EXCEPTIONS",
        "NODE_ADDON_API_CPP_EXCEPTIONS_ALL",
        "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS",
        "NLWRAP_SOURCE_HASH=\"<!(node scripts/source-hash.js)\""
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "conditions": [
        # Prebuilds (scripts/prebuildify.sh): load on glibc >= 2.28 with any
        # libstdc++ or none (src-native/glibc_compat.*), export only Node-API's
        # entry points. scripts/check-glibc-baseline.js proves it.
        ["portable==1", {
          "sources": ["src-native/glibc_compat.cc"],
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
    }
  ]
}
