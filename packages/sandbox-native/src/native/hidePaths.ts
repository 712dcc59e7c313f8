/**
 * Replaces absolute paths in a message by `<path>`: sandbox errors end up in task results, which
 * their submitter reads, and a host path tells them how the host is laid out.
 */
export const hidePaths = (message: string): string => message.replace(/(^|[\s'"`(=:])\/[^\s'"`),:]*/g, "$1<path>")
