// Every list call of DESIGN's API table, with arguments that list
// everything: the call mix of the soak (bench/soak.ts) and of the leak
// workload (test/helpers/leak-workload.ts). A call whose method is not on
// Handle is skipped by both.
export type ListCall = { name: string; method: string; args: unknown[] };

export const LIST_CALLS: ListCall[] = [
  { name: 'linkList', method: 'linkList', args: [] },
  { name: 'linkByName', method: 'linkByName', args: ['lo'] },
  { name: 'linkByIndex', method: 'linkByIndex', args: [1] },
  { name: 'addrList', method: 'addrList', args: [null, 0] },
  { name: 'routeList', method: 'routeList', args: [null, 0] },
  { name: 'xfrmPolicyList', method: 'xfrmPolicyList', args: [0] },
  { name: 'xfrmStateList', method: 'xfrmStateList', args: [0] },
  { name: 'conntrackTableList', method: 'conntrackTableList', args: [1, 0] },
];
