import factory

from crm.models import Team, User
from crm.roles import Role


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.AGENT
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-123")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class AgentFactory(UserFactory):
    role = Role.AGENT
    team = factory.SubFactory(TeamFactory)


class LeadFactory(UserFactory):
    """A team lead with their team (the lead is a member of the team they lead)."""

    role = Role.LEAD

    @factory.post_generation
    def led(obj, create, extracted, **kwargs):
        if not create:
            return
        team = extracted or TeamFactory()
        team.lead = obj
        team.save()
        obj.team = team
        obj.save()


class CuratorFactory(UserFactory):
    role = Role.CURATOR
    is_staff = True


class AdminFactory(UserFactory):
    role = Role.ADMIN
    is_staff = True
    is_superuser = True
