"""What starts containers and watches them: the start path (launch), where monitors come
from (spawner, handoff), the monitor itself, its wire to clients (protocol), the state it
records (lifecycle), and starting helper processes detached (detach)."""
