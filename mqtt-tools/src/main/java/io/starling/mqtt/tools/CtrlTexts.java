package io.starling.mqtt.tools;

/**
 * What {@code starling ctrl} prints that is not data: mosquitto_ctrl 2.0.11's texts word for word, with
 * {@code starling ctrl} where it names itself.
 */
final class CtrlTexts {
    private CtrlTexts() {
    }

    static final String USAGE =
            "starling ctrl is a tool for administering certain Mosquitto features.\n" +
            "starling ctrl version 0.1.0 (mosquitto_ctrl 2.0.11 compatible).\n" +
            "\n" +
            "General usage: starling ctrl <module> <module-command> <command-options>\n" +
            "For module specific help use: starling ctrl <module> help\n" +
            "\n" +
            "Modules available: dynsec\n" +
            "\n" +
            "For more information see:\n" +
            "    https://mosquitto.org/man/mosquitto_ctrl-1.html\n" +
            "\n";

    static final String DYNSEC_HELP =
            "\n" +
            "Dynamic Security module\n" +
            "=======================\n" +
            "\n" +
            "Initialisation\n" +
            "--------------\n" +
            "Create a new configuration file with an admin user:\n" +
            "    starling ctrl dynsec init <new-config-file> <admin-username> [admin-password]\n" +
            "\n" +
            "General\n" +
            "-------\n" +
            "Get ACL default access:          getDefaultACLAccess\n" +
            "Set ACL default access:          setDefaultACLAccess <acltype> allow|deny\n" +
            "Get group for anonymous clients: getAnonymousGroup\n" +
            "Set group for anonymous clients: setAnonymousGroup   <groupname>\n" +
            "\n" +
            "Clients\n" +
            "-------\n" +
            "Create a new client:         createClient      <username> [-c clientid] [-p password]\n" +
            "Delete a client:             deleteClient      <username>\n" +
            "Set a client password:       setClientPassword <username> [password]\n" +
            "Set a client id:             setClientId       <username> [clientid]\n" +
            "Add a role to a client:      addClientRole     <username> <rolename> [priority]\n" +
            "    Higher priority (larger numerical value) roles are evaluated first.\n" +
            "Remove role from a client:   removeClientRole  <username> <rolename>\n" +
            "Get client information:      getClient         <username>\n" +
            "List all clients:            listClients       [count [offset]]\n" +
            "Enable client:               enableClient      <username>\n" +
            "Disable client:              disableClient     <username>\n" +
            "\n" +
            "Groups\n" +
            "------\n" +
            "Create a new group:          createGroup       <groupname>\n" +
            "Delete a group:              deleteGroup       <groupname>\n" +
            "Add a role to a group:       addGroupRole      <groupname> <rolename> [priority]\n" +
            "    Higher priority (larger numerical value) roles are evaluated first.\n" +
            "Remove role from a group:    removeGroupRole   <groupname> <rolename>\n" +
            "Add client to a group:       addGroupClient    <groupname> <username> [priority]\n" +
            "    Priority sets the group priority for the given client only.\n" +
            "    Higher priority (larger numerical value) groups are evaluated first.\n" +
            "Remove client from a group:  removeGroupClient <groupname> <username>\n" +
            "Get group information:       getGroup          <groupname>\n" +
            "List all groups:             listGroups        [count [offset]]\n" +
            "\n" +
            "Roles\n" +
            "------\n" +
            "Create a new role:           createRole        <rolename>\n" +
            "Delete a role:               deleteRole        <rolename>\n" +
            "Add an ACL to a role:        addRoleACL        <rolename> <aclspec> [priority]\n" +
            "    Higher priority (larger numerical value) ACLs are evaluated first.\n" +
            "Remove ACL from a role:      removeRoleACL     <rolename> <aclspec>\n" +
            "Get role information:        getRole           <rolename>\n" +
            "List all roles:              listRoles         [count [offset]]\n" +
            "\n" +
            "aclspec:                     <acltype> <topicFilter> allow|deny\n" +
            "acltype:                     publishClientSend|publishClientReceive\n" +
            "                              |subscribeLiteral|subscribePattern\n" +
            "                              |unsubscribeLiteral|unsubscribePattern\n" +
            "\n" +
            "For more information see:\n" +
            "    https://mosquitto.org/documentation/dynamic-security/\n" +
            "\n";

    /** Written to standard error before a connection without TLS. */
    static final String UNENCRYPTED =
            "Warning: You are running starling ctrl without encryption.\n" +
            "This means all of the configuration changes you are making are visible on the network, including passwords.\n" +
            "\n";

    static final String INVALID_ARGUMENTS = "Error: Invalid function arguments provided.\n";

    static String initDone(String user, String file) {
        return "The client '" + user + "' has been created in the file '" + file + "'.\n" +
                "This client is configured to allow you to administer the dynamic security plugin only.\n" +
                "It does not have access to publish messages to normal topics.\n" +
                "You should create your application clients to do that, for example:\n" +
                "   starling ctrl <connect options> dynsec createClient <username>\n" +
                "   starling ctrl <connect options> dynsec createRole <rolename>\n" +
                "   starling ctrl <connect options> dynsec addRoleACL <rolename> publishClientSend my/topic [priority]\n" +
                "   starling ctrl <connect options> dynsec addClientRole <username> <rolename> [priority]\n" +
                "See https://mosquitto.org/documentation/dynamic-security/ for details of all commands.\n";
    }
}
