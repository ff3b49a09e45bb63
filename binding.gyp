{
  "variables": {
    "sanitize%": "<!(node -p \"process.env.NLWRAP_SANITIZE || ''\")"
  },
  "targets": [
    {
      "target_name": "nlwrap",
      "sources": [
        "src-native/addon.cc",
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
        "src-native/parse_conntrack.cc",
        "src-native/testing.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": [
        "NAPI_VERSION=8",
        "NODE_ADDON_API_DISABLE_DEPRECATED",
        "NAPI_CPP_EXCEPTIONS",
        "NLWRAP_SOURCE_HASH=\"<!(node scripts/source-hash.js)\""
      ],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17", "-std=gnu++20"],
      "cflags_cc": ["-std=c++17", "-fexceptions", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "conditions": [
        ["sanitize=='address'", {
          "cflags_cc": ["-fsanitize=address,undefined", "-fno-omit-frame-pointer", "-fno-sanitize-recover=undefined", "-O1", "-g"],
          "ldflags": ["-fsanitize=address,undefined"]
        }]
      ]
    }
  ]
}
