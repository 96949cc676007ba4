/** Who this node is at the hub: learnt at enrolment (or from the stored credentials) and read by every room. */
export interface NodeIdentity {
  nodeId: string | undefined;
  nodeName: string;
  /** The node's organisation at the hub (decides whose node-admins may approve for it). */
  organisationId: string | undefined;
}
